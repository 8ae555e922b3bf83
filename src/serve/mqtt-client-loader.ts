import type { connect as mqttConnect } from 'mqtt';
import { ErrorCode } from '../errors.ts';
import { ServeError } from './serve-error.ts';

/** MQTT.js's `connect`. */
export type MqttConnect = typeof mqttConnect;

/**
 * Imports MQTT.js (the optional dependency `mqtt`) and returns its
 * `connect`. Imported here, when a bridge starts, and nowhere else, so the
 * library and the HTTP server load without it. Throws ServeError
 * (MQTT_CLIENT_MISSING) saying how to install it when the package is not
 * there; `specifier` exists for the test of that message.
 * Cost: the first call loads the package (tens of milliseconds).
 */
export async function loadMqttConnect(specifier = 'mqtt'): Promise<MqttConnect> {
  let loaded: { connect?: MqttConnect; default?: { connect?: MqttConnect } };
  try {
    // A variable specifier: bundlers (tsup builds the CLI) leave it to run time instead of inlining MQTT.js.
    loaded = (await import(/* @vite-ignore */ specifier)) as typeof loaded;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(String(error))) {
      throw new ServeError(
        ErrorCode.MQTT_CLIENT_MISSING,
        `the MQTT bridge needs the optional package ${JSON.stringify(specifier)} (MQTT.js), which is not installed; install it with: npm install mqtt`,
        { cause: error },
      );
    }
    throw error;
  }
  // MQTT.js is CommonJS: Node gives its exports both as names and as `default`.
  const connect = loaded.connect ?? loaded.default?.connect;
  if (typeof connect !== 'function') {
    throw new ServeError(ErrorCode.MQTT_CLIENT_MISSING, `the package ${JSON.stringify(specifier)} has no connect function; expected MQTT.js 5`);
  }
  return connect;
}
