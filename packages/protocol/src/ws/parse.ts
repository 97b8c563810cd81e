import type { z } from 'zod';
import { formatIssues, WsErrorCode } from '../errors.js';
import { idSchema } from '../models/common.js';
import {
  clientEventSchemas,
  type ClientEventName,
  type ClientFrame,
} from './client-frames.js';
import {
  serverEventSchemas,
  type ServerEventName,
  type ServerFrame,
} from './server-frames.js';

/** Why a client frame was refused: becomes an `error` frame as is. */
export interface FrameError {
  code: typeof WsErrorCode.BadRequest | typeof WsErrorCode.UnknownEvent;
  message: string;
  /** The frame's `clientMsgId` when it has a valid one, else its event name, if any. */
  ref?: string;
}

export type ParseResult<T> = { ok: true; frame: T } | { ok: false; error: FrameError };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refOf(event: string | undefined, data: unknown): string | undefined {
  if (isRecord(data) && idSchema.safeParse(data.clientMsgId).success) return data.clientMsgId as string;
  return event;
}

/** The parsed JSON of a frame, or why it is not a `{event, data}` object. */
function parseEnvelope(text: string): ParseResult<{ event: string; data: unknown }> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: WsErrorCode.BadRequest, message: 'frame is not valid JSON' } };
  }
  return checkEnvelope(value);
}

function checkEnvelope(value: unknown): ParseResult<{ event: string; data: unknown }> {
  if (!isRecord(value)) {
    return { ok: false, error: { code: WsErrorCode.BadRequest, message: 'frame must be a JSON object {event, data}' } };
  }
  const { event, data, ...extra } = value;
  if (typeof event !== 'string') {
    return { ok: false, error: { code: WsErrorCode.BadRequest, message: 'event: must be a string', ref: refOf(undefined, data) } };
  }
  const extraKeys = Object.keys(extra);
  if (extraKeys.length > 0) {
    return {
      ok: false,
      error: { code: WsErrorCode.BadRequest, message: `(root): unrecognized key(s) ${extraKeys.join(', ')}`, ref: refOf(event, data) },
    };
  }
  return { ok: true, frame: { event, data } };
}

function hasKey<T extends object>(obj: T, key: string): key is Extract<keyof T, string> {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * Parses one incoming client frame. Binary frames, non-JSON, non-objects, missing, extra or
 * out-of-bounds fields are `bad_request`; unknown event names (server event names included)
 * are `unknown_event`. The returned data is validated and normalised (bodies trimmed).
 */
export function parseClientFrame(text: string, isBinary = false): ParseResult<ClientFrame> {
  if (isBinary) {
    return { ok: false, error: { code: WsErrorCode.BadRequest, message: 'binary frames are not accepted; send JSON text' } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: WsErrorCode.BadRequest, message: 'frame is not valid JSON' } };
  }
  return parseClientFrameValue(value);
}

/**
 * `parseClientFrame` for a frame whose JSON is already parsed: lets a server look at the event
 * name (e.g. to pick a rate-limit bucket) without parsing the text twice.
 */
export function parseClientFrameValue(value: unknown): ParseResult<ClientFrame> {
  const envelope = checkEnvelope(value);
  if (!envelope.ok) return envelope;
  const { event, data } = envelope.frame;
  if (!hasKey(clientEventSchemas, event)) {
    return { ok: false, error: { code: WsErrorCode.UnknownEvent, message: `unknown event "${event.slice(0, 64)}"`, ref: refOf(event, data) } };
  }
  const schema = clientEventSchemas[event as ClientEventName] as z.ZodType;
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: WsErrorCode.BadRequest, message: formatIssues(parsed.error, 'data').join('; '), ref: refOf(event, data) },
    };
  }
  return { ok: true, frame: { event, data: parsed.data } as ClientFrame };
}

/** Parses one server frame (for clients). Unknown events are refused, so a client can log and ignore them. */
export function parseServerFrame(text: string): ParseResult<ServerFrame> {
  const envelope = parseEnvelope(text);
  if (!envelope.ok) return envelope;
  const { event, data } = envelope.frame;
  if (!hasKey(serverEventSchemas, event)) {
    return { ok: false, error: { code: WsErrorCode.UnknownEvent, message: `unknown event "${event.slice(0, 64)}"`, ref: event } };
  }
  const parsed = (serverEventSchemas[event as ServerEventName] as z.ZodType).safeParse(data);
  if (!parsed.success) {
    return { ok: false, error: { code: WsErrorCode.BadRequest, message: formatIssues(parsed.error, 'data').join('; '), ref: event } };
  }
  return { ok: true, frame: { event, data: parsed.data } as ServerFrame };
}

/** Serialises a frame the way both ends send it. */
export function encodeFrame<F extends { event: string; data: unknown }>(frame: F): string {
  return JSON.stringify({ event: frame.event, data: frame.data });
}
