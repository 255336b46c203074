---Increment a counter, never past a cap.
---@key counter  the counter's key
---@arg max integer  the cap
---@arg ttl? integer  seconds to live, set when the counter is created
---@return integer  the counter's value after the call
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
if current >= tonumber(ARGV[1]) then
  return current
end
local value = redis.call("INCR", KEYS[1])
if value == 1 and ARGV[2] then
  redis.call("EXPIRE", KEYS[1], ARGV[2])
end
return value
