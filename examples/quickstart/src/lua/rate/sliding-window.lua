---Sliding-window rate limiter: admit a request if fewer than `limit` were admitted
---in the last `window` milliseconds.
---@key bucket  a sorted set of admitted requests, scored by time
---@arg now integer  the current time in milliseconds
---@arg window integer  the window's length in milliseconds
---@arg limit integer  how many requests the window admits
---@arg id string  a unique id for this request
---@return [integer, integer]  1 if admitted else 0, and how many requests the window now holds
local bucket = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])

redis.call("ZREMRANGEBYSCORE", bucket, "-inf", now - window)
local count = redis.call("ZCARD", bucket)
if count >= limit then
  return { 0, count }
end
redis.call("ZADD", bucket, now, ARGV[4])
redis.call("PEXPIRE", bucket, window)
return { 1, count + 1 }
