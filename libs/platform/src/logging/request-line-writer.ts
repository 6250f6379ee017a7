import { symbols, type Logger } from 'pino';

/** What a request line says (see logRequestsFromHook). */
export interface RequestLineFields {
  readonly id: string;
  readonly method: string;
  /** Already as loggablePath writes it. */
  readonly path: string;
  readonly statusCode: number;
  readonly responseTime: number;
}

/** pino's parts of a line, by the symbols pino exports for its extensions (pino-pretty and pino-http use them). */
interface PinoInternals {
  readonly [symbols.lsCacheSym]?: Readonly<Record<number, string>>;
  readonly [symbols.timeSym]?: () => string;
  readonly [symbols.chindingsSym]?: string;
  readonly [symbols.streamSym]?: { write(line: string): unknown };
  readonly [symbols.needsMetadataGsym]?: boolean;
  readonly [symbols.mixinSym]?: unknown;
  readonly [symbols.messageKeySym]?: string;
}

const INFO = 30;

/**
 * Writes the JSON request line of `logger` (an info line, no redaction) as pino would write
 * `logger.info({ req: { id, method, path }, res: { statusCode }, responseTime }, message)`: the same
 * bytes to the same destination. Undefined when this logger's line cannot be built so (custom
 * level labels, a mixin, another message key, a multistream asking for metadata): the caller then logs
 * through pino.
 *
 * Why by hand: a request line has one fixed shape, and pino's general path (each key looked up among
 * the serializers, each value through its safe stringify) was about 3 % of a SCIM lookup's CPU
 * (docs/PERFORMANCE.md). Tested against pino's own output (request-line-writer.spec.ts).
 */
export function requestLineWriter(logger: Logger): ((fields: RequestLineFields, message: string) => void) | undefined {
  const internals = logger as unknown as PinoInternals;
  const level = internals[symbols.lsCacheSym]?.[INFO];
  const time = internals[symbols.timeSym];
  const bindings = internals[symbols.chindingsSym];
  const stream = internals[symbols.streamSym];
  if (
    level !== `{"level":${INFO}` ||
    typeof time !== 'function' ||
    typeof bindings !== 'string' ||
    typeof stream?.write !== 'function' ||
    internals[symbols.needsMetadataGsym] === true ||
    internals[symbols.mixinSym] ||
    internals[symbols.messageKeySym] !== 'msg'
  ) {
    return undefined;
  }
  return (fields, message) => {
    stream.write(
      `${level}${time()}${bindings},"req":{"id":${JSON.stringify(fields.id)},"method":${JSON.stringify(fields.method)},` +
        `"path":${JSON.stringify(fields.path)}},"res":{"statusCode":${fields.statusCode}},` +
        `"responseTime":${fields.responseTime},"msg":${JSON.stringify(message)}}\n`,
    );
  };
}
