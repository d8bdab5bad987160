// Docker's multiplexed stream framing for containers without a TTY: each chunk of output is
// preceded by 8 bytes, [stream, 0, 0, 0, size as u32 big-endian]; 1 is stdout, 2 is stderr.
export type OutputStream = 'stdout' | 'stderr';

const streamIds: Record<OutputStream, number> = { stdout: 1, stderr: 2 };

export function frameOutput(stream: OutputStream, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = streamIds[stream];
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}
