-- POST /v1/decide for a random known user (u-0 … u-(USERS-1), as `kairos simulate` names them) at the default placement.
local auth = "Basic " .. (os.getenv("KAIROS_WRITE_KEY_B64") or "")
local users = tonumber(os.getenv("USERS") or "10000")

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local body = '{"userId":"u-' .. math.random(0, users - 1) .. '","placement":"home","limit":10}'
  return wrk.format("POST", "/v1/decide", { ["Content-Type"] = "application/json", ["Authorization"] = auth }, body)
end
