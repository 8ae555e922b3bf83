import { ErrorCode } from '../errors.ts';
import { ServeError } from './serve-error.ts';

/** The placeholder a result topic template carries where the device id goes. */
export const DEVICE_PLACEHOLDER = '{device}';

/**
 * A subscription filter whose one `+` level names the device, such as
 * `sensors/+/reading`: every other level is literal, so a topic it matches
 * names exactly one device.
 */
export interface DeviceTopicFilter {
  readonly filter: string;
  /** The filter split at `/`. */
  readonly levels: readonly string[];
  /** Index of the `+` level in `levels`. */
  readonly deviceLevel: number;
}

/**
 * Checks and splits a device filter. Throws ServeError (SERVE_OPTION_INVALID)
 * unless it has exactly one `+` level, no `#`, no wildcard inside a level and
 * no empty level. Cold path.
 */
export function parseDeviceFilter(filter: string, option = 'subscribe'): DeviceTopicFilter {
  const fail = (why: string): never => {
    throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `serve option ${option} ${JSON.stringify(filter)} ${why}; expected a filter such as sensors/+/reading`);
  };
  if (typeof filter !== 'string' || filter === '') fail('is empty');
  const levels = filter.split('/');
  let deviceLevel = -1;
  levels.forEach((level, i) => {
    if (level === '+') {
      if (deviceLevel >= 0) fail('has more than one + level (one level names the device)');
      deviceLevel = i;
    } else if (level.includes('+') || level.includes('#')) {
      fail(level.includes('#') ? 'uses #; name the device with one + level instead' : `has a wildcard inside the level ${JSON.stringify(level)}`);
    } else if (level === '') {
      fail('has an empty level');
    }
  });
  if (deviceLevel < 0) fail('has no + level to name the device');
  return { filter, levels, deviceLevel };
}

/**
 * The device a topic names under this filter: the text of its `+` level;
 * null when the topic does not match the filter (a message a broker kept for
 * an older subscription). Cost: one split of the topic.
 */
export function deviceOf(parsed: DeviceTopicFilter, topic: string): string | null {
  const levels = topic.split('/');
  if (levels.length !== parsed.levels.length) return null;
  for (let i = 0; i < levels.length; i++) {
    if (i !== parsed.deviceLevel && levels[i] !== parsed.levels[i]) return null;
  }
  return levels[parsed.deviceLevel];
}

/** The result topic for a device: the template with {device} replaced. Allocates the string. */
export function deviceTopic(template: string, device: string): string {
  return template.split(DEVICE_PLACEHOLDER).join(device);
}

/**
 * The default result topic for a filter: the device level becomes {device}
 * and the last level `forecast` (`sensors/+/reading` → `sensors/{device}/forecast`),
 * or `/forecast` is added when the device is the last level.
 */
export function defaultResultTopic(parsed: DeviceTopicFilter): string {
  const levels = parsed.levels.map((level, i) => (i === parsed.deviceLevel ? DEVICE_PLACEHOLDER : level));
  if (parsed.deviceLevel === levels.length - 1) levels.push('forecast');
  else levels[levels.length - 1] = 'forecast';
  return levels.join('/');
}

/**
 * Checks a result topic template: it names {device} and has no wildcard, and
 * no device's result topic can match the subscription (the bridge would read
 * its own results as readings). Throws ServeError (SERVE_OPTION_INVALID). Cold path.
 */
export function checkResultTopic(template: string, parsed: DeviceTopicFilter, option = 'resultTopic'): void {
  const fail = (why: string): never => {
    throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `serve option ${option} ${JSON.stringify(template)} ${why}`);
  };
  if (typeof template !== 'string' || !template.includes(DEVICE_PLACEHOLDER)) fail(`must contain ${DEVICE_PLACEHOLDER}, such as sensors/${DEVICE_PLACEHOLDER}/forecast`);
  if (/[+#]/.test(template)) fail('must not contain + or #');
  // A level holding {device} may become any text, so it is compared as a wildcard.
  const levels = template.split('/');
  if (levels.some((level) => level === '')) fail('has an empty level');
  const overlaps =
    levels.length === parsed.levels.length &&
    levels.every((level, i) => level.includes(DEVICE_PLACEHOLDER) || parsed.levels[i] === '+' || parsed.levels[i] === level);
  if (overlaps) fail(`can match the subscription ${JSON.stringify(parsed.filter)}, so the bridge would read its own results`);
}

/**
 * Checks the error topic: a plain topic name (no wildcard, no {device}) that
 * the subscription does not match. Throws ServeError (SERVE_OPTION_INVALID). Cold path.
 */
export function checkErrorTopic(topic: string, parsed: DeviceTopicFilter, option = 'errorTopic'): void {
  const fail = (why: string): never => {
    throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `serve option ${option} ${JSON.stringify(topic)} ${why}`);
  };
  if (typeof topic !== 'string' || topic === '') fail('is empty (use null for no error topic)');
  if (/[+#]/.test(topic)) fail('must not contain + or #');
  if (deviceOf(parsed, topic) !== null) fail(`matches the subscription ${JSON.stringify(parsed.filter)}, so the bridge would read its own reports`);
}
