-- PUT a document never written before: every request a new id (thread number and counter).
local collection = os.getenv("BENCH_COLLECTION") or "benchc"
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("prefix", "t" .. threads .. "-")
end
local counter = 0
local payload = string.rep("x", 120)
request = function()
  counter = counter + 1
  local body = '{"n":' .. counter .. ',"text":"' .. payload .. '"}'
  return wrk.format("PUT", "/v1/" .. collection .. "/" .. prefix .. counter,
    {["Content-Type"] = "application/json"}, body)
end
