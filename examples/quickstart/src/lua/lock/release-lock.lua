---Release a lock only if this caller still holds it (compare-and-delete).
---@key lock  the lock's key
---@arg token string  the value the caller set when it took the lock
---@return integer  1 if the lock was released, 0 if someone else holds it (or nobody)
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
