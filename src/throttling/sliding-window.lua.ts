/**
 * SlidingWindowThrottlerStorage's hit, as one Redis script: the same two counters per key and the
 * same arithmetic, read and written atomically so every replica counts into one window.
 *
 * KEYS[1] the key's hash (fields ws = window start, c = hits in the current window, p = hits in
 * the previous one, b = blocked until, e = expires at; all ms).
 * ARGV ttl, limit, blockDuration (ms), now (ms, or "" for the Redis server's clock, which every
 * replica shares).
 * Returns { now, windowStart, blockedUntil, totalHits, isBlocked (0/1) }. The key's TTL is set to
 * when its record says nothing a fresh one would not, so idle keys leave Redis on their own.
 */
export const SLIDING_WINDOW_LUA = `
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local block = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local h = redis.call('HMGET', KEYS[1], 'ws', 'c', 'p', 'b', 'e')
local ws, c, p, b, e = tonumber(h[1]), tonumber(h[2]), tonumber(h[3]), tonumber(h[4]), tonumber(h[5])
if not ws or not e or e <= now then
  ws, c, p, b = now, 0, 0, 0
end
if b > now then
  return { now, ws, b, limit + 1, 1 }
end
if b > 0 then
  ws, c, p, b = now, 0, 0, 0
end
local windows = math.floor((now - ws) / ttl)
if windows > 0 then
  if windows == 1 then p = c else p = 0 end
  c = 0
  ws = ws + windows * ttl
end
local estimate = math.floor(p * (1 - (now - ws) / ttl)) + c
local blocked = 0
if estimate >= limit then
  blocked = 1
  if block > 0 then b = now + block end
  e = math.max(ws + 2 * ttl, b)
else
  c = c + 1
  e = ws + 2 * ttl
end
redis.call('HSET', KEYS[1], 'ws', string.format('%d', ws), 'c', c, 'p', p,
  'b', string.format('%d', b), 'e', string.format('%d', e))
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.max(1, e - now)))
return { now, ws, b, estimate + 1, blocked }
`;
