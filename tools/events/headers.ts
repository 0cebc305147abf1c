/**
 * Record headers as text. An event the app publishes over AMQP carries application properties; the Kafka
 * endpoint hands them to Kafka clients as headers holding the AMQP encoding of the value (a type byte, the
 * length, then the UTF-8 text for a string). Headers a Kafka client wrote are plain UTF-8. The AMQP string
 * and symbol type bytes (0xA1, 0xA3, 0xB1, 0xB3) cannot begin UTF-8 text, so the two never mix up.
 */
export function headerText(value: Buffer | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  const code = value[0];
  if ((code === 0xa1 || code === 0xa3) && value.length >= 2 && value[1] === value.length - 2) {
    return value.subarray(2).toString('utf8');
  }
  if ((code === 0xb1 || code === 0xb3) && value.length >= 5 && value.readUInt32BE(1) === value.length - 5) {
    return value.subarray(5).toString('utf8');
  }
  return value.toString('utf8');
}

export function headersAsText(headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    const text = headerText(value);
    if (text !== undefined) result[name] = text;
  }
  return result;
}
