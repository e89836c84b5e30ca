import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 4 KiB at a time (one `randomFillSync` per 256 ids). */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
let lastMs = -1;
let counter = 0;

function random16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return bytes;
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix time in ms, a 12-bit counter that keeps ids from
 * one process strictly increasing within a millisecond (RFC 9562 6.2, method 1), and 62 random
 * bits. Task ids are the key of the store's step and event tables; ids that grow with time put
 * the rows of tasks started together on the same B-tree pages, so a commit writes a few pages
 * instead of one per task (random v4 ids scatter them). An id reveals when it was made, nothing
 * else; access never depends on an id being secret (tasks are checked against their owner).
 */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    // Start low in the range so a burst in one millisecond rarely runs out of counter values.
    counter = random16()[0] & 0x3ff;
  } else if (++counter > 0xfff) {
    // 4,096 ids in one millisecond (or the clock went back): borrow the next millisecond.
    lastMs++;
    counter = 0;
  }
  const b = random16();
  const ms = lastMs;
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | (counter >>> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
