/**
 * The value as it would cross the wire (JSON round trip): undefined keys dropped, class
 * instances made plain. In-process answers go through it so both transports return equal data,
 * and a validated DTO becomes the plain request the runner stores.
 */
export function toWire<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
