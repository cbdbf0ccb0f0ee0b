-- POST /v1/decide for a random known user (u-0 … u-(PROFILES-1), as scripts/bench-offers.sh imports them)
-- at the action placement nba_home: next-best-action arbitration among the offers, on the home page.
local auth = "Basic " .. (os.getenv("KAIROS_WRITE_KEY_B64") or "")
local profiles = tonumber(os.getenv("PROFILES") or "1000000")
local placement = os.getenv("PLACEMENT") or "nba_home"

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local body = '{"userId":"u-' .. math.random(0, profiles - 1) .. '","placement":"' .. placement ..
    '","context":{"page":"home"}}'
  return wrk.format("POST", "/v1/decide", { ["Content-Type"] = "application/json", ["Authorization"] = auth }, body)
end
