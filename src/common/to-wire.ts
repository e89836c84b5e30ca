/**
 * The value as it would cross the wire (JSON round trip): undefined keys dropped, class
 * instances made plain. In-process answers go through it so both transports return equal data,
 * and validated DTOs become the plain requests the services take.
 */
export function toWire<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
