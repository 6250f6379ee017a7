import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { EventsModule } from '../events/events.module';
import { UsersModule } from '../users/users.module';
import { SignInService } from './sign-in.service';

/** From an IdP identity to a gateway user: linking, just-in-time users, refusals. */
@Module({
  imports: [UsersModule, AccessModule, EventsModule],
  providers: [SignInService],
  exports: [SignInService, UsersModule, AccessModule],
})
export class SignInModule {}
