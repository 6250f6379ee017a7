import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { DeliveriesService, QueueUnavailableError } from '@app/identity/deliveries/deliveries.service';
import { DeliveryReplayService, ReplayResult } from '@app/identity/deliveries/delivery-replay.service';
import { WebhookTestResult, WebhookTestService } from '@app/identity/deliveries/webhook-test.service';
import { ReplayInput, replayInput } from '@app/identity/subscriptions/replay.input';
import { DeliveryView, toDeliveryView } from '@app/identity/deliveries/delivery.view';
import {
  CreateSubscriptionInput,
  ListDeliveriesQuery,
  UpdateSubscriptionInput,
  createSubscriptionInput,
  listDeliveriesQuery,
  updateSubscriptionInput,
} from '@app/identity/subscriptions/subscription.input';
import { SubscriptionView, toSubscriptionView } from '@app/identity/subscriptions/subscription.view';
import { SubscriptionsService } from '@app/identity/subscriptions/subscriptions.service';
import { ApiResult, listOf } from '../api-docs/api-docs.decorators';
import { DELIVERY_PAGE } from './admin-api.openapi';
import { AdminAuthGuard } from './admin-auth.guard';
import { ZodValidationPipe } from './zod-validation.pipe';

/** The created subscription's id, and for a webhook its signing secret: shown here and nowhere else, ever. */
interface CreatedSubscriptionBody {
  id: string;
  secret?: string;
}

@Controller('admin/v1/subscriptions')
@UseGuards(AdminAuthGuard)
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly deliveries: DeliveriesService,
    private readonly replays: DeliveryReplayService,
    private readonly tests: WebhookTestService,
  ) {}

  @Post()
  @ApiResult('CreatedSubscription', 'The subscription’s id, and a webhook’s secret, shown this once.')
  async create(
    @Body(new ZodValidationPipe(createSubscriptionInput)) input: CreateSubscriptionInput,
  ): Promise<CreatedSubscriptionBody> {
    const { subscription, secret } = await this.subscriptions.create(input);
    return secret === undefined ? { id: subscription.id } : { id: subscription.id, secret };
  }

  @Get()
  @ApiResult(listOf('subscriptions', 'Subscription'), 'Every subscription.')
  async list(): Promise<{ subscriptions: SubscriptionView[] }> {
    return { subscriptions: (await this.subscriptions.list()).map(toSubscriptionView) };
  }

  @Get(':id')
  @ApiResult('Subscription', 'The subscription.')
  async get(@Param('id') id: string): Promise<SubscriptionView> {
    return toSubscriptionView(await this.subscriptions.get(id));
  }

  @Patch(':id')
  @ApiResult('Subscription', 'The subscription as changed.')
  async update(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(updateSubscriptionInput)) input: UpdateSubscriptionInput,
  ): Promise<SubscriptionView> {
    return toSubscriptionView(await this.subscriptions.update(id, input));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.subscriptions.delete(id);
  }

  @Get(':id/deliveries')
  @ApiResult(DELIVERY_PAGE, 'A page of the delivery log, newest first.')
  async deliveryLog(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(listDeliveriesQuery)) query: ListDeliveriesQuery,
  ): Promise<{ deliveries: DeliveryView[]; nextCursor: string | null }> {
    const page = await this.deliveries.list(id, query);
    return { deliveries: page.deliveries.map(toDeliveryView), nextCursor: page.nextCursor };
  }

  /** Delivers the subscription's events again from the events feed, with their original ids. */
  @Post(':id/replay')
  @HttpCode(202)
  @ApiResult('ReplayResult', 'The deliveries queued again.')
  async replay(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(replayInput)) input: ReplayInput,
  ): Promise<ReplayResult> {
    try {
      return await this.replays.replay(id, input);
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw new ServiceUnavailableException(error.message);
      throw error;
    }
  }

  /** Sends a signed test event to a webhook now, and says how the receiver answered. */
  @Post(':id/test')
  @HttpCode(200)
  @ApiResult('WebhookTestResult', 'How the receiver answered.')
  test(@Param('id') id: string): Promise<WebhookTestResult> {
    return this.tests.send(id);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiResult('Delivery', 'The delivery, queued again.')
  async retry(@Param('id') id: string, @Param('deliveryId') deliveryId: string): Promise<DeliveryView> {
    try {
      return toDeliveryView(await this.deliveries.retry(id, deliveryId));
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw new ServiceUnavailableException(error.message);
      throw error;
    }
  }
}
