// Times Kairos expression evaluation on typical rules.
//
//   swift run -c release ExprBench [iterations] [case label]
//
// Prints nanoseconds per evaluation (ContinuousClock over `iterations` evaluations, 2,000,000 by
// default, after a warm-up) and microseconds per compilation.
import KairosCore

let arguments = CommandLine.arguments.dropFirst()
let iterations = arguments.first.flatMap { Int($0) } ?? 2_000_000
let only = arguments.dropFirst().first

let eventTime = Timestamp.parse("2026-11-22T10:00:00Z") ?? 0
let event: JSONValue = [
    "type": "track", "event": "Product Viewed", "userId": "u-1", "anonymousId": "a-1",
    "messageId": "0f8c2a64-5b7e-4a0e-9a57-1c2d3e4f5a6b", "timestamp": "2026-11-22T10:00:00.000Z",
    "receivedAt": "2026-11-22T10:00:00.120Z", "originalTimestamp": "2026-11-22T10:00:00.000Z",
    "properties": ["price": 149.5, "product_id": "p-42", "category": "shoes", "currency": "EUR"],
    "context": ["device": ["type": "mobile"], "locale": "de-DE"],
]
let profile: JSONValue = [
    "userId": "u-1", "traits": ["tier": "gold", "email": "a@example.com"],
    "eventCounts": ["Product Viewed": 12, "Order Completed": 2],
    "firstSeen": "2026-01-02T03:04:05.000Z", "lastSeen": "2026-11-22T09:59:00.000Z",
]
let context = EvaluationContext(
    event: event, eventTimestamp: eventTime, profile: profile, features: ["views_5m": .number(4)],
    segments: ["shoppers", "mobile"], now: eventTime + 600_000)
let environment = ExpressionEnvironment(features: ["views_5m": .number])

let cases: [(label: String, source: String)] = [
    ("a", #"event.name == "Product Viewed" && event.properties.price > 100"#),
    ("b", #"profile.traits.tier in ["gold", "platinum"] && features.views_5m >= 3"#),
    ("c", "now - event.timestamp < 30m && has(event.properties.product_id)"),
    ("d", #"profile.eventCounts["Order Completed"] >= 1 && "shoppers" in segments && context.device.type == "mobile""#),
]

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

func rounded(_ value: Double) -> String {
    String((value * 10).rounded() / 10)
}

let clock = ContinuousClock()
print("\(iterations) evaluations per expression")
for (label, source) in cases where only == nil || only == label {
    let expression: Expression
    do {
        expression = try Expression.compileCondition(source, environment: environment)
    } catch {
        print("(\(label)) does not compile: \(error)")
        continue
    }
    let compileRounds = 10_000
    var checksum = 0
    let compiling = clock.measure {
        for _ in 0..<compileRounds {
            if let again = try? Expression.compileCondition(source, environment: environment) {
                checksum &+= again.referencedFeatures.count
            }
        }
    }
    for _ in 0..<10_000 where expression.matches(context) { checksum &+= 1 }
    var matched = 0
    let evaluating = clock.measure {
        for _ in 0..<iterations where expression.matches(context) { matched &+= 1 }
    }
    let perEvaluation = nanoseconds(evaluating) / Double(iterations)
    let perCompile = nanoseconds(compiling) / Double(compileRounds) / 1000
    print("(\(label)) \(rounded(perEvaluation)) ns/op, compile \(rounded(perCompile)) µs, "
        + "matched \(matched)/\(iterations) [\(checksum)]: \(source)")
}
