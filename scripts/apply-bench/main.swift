// Times applying events to profiles in process, without and with definitions (features, segments,
// and the trigger conditions tested after each event), on one thread: the domain's share of the
// ingest cost, without HTTP, the store or the machine's other load.
//
//   swift run -c release ApplyBench [events] [people] [definitions.yaml] [rounds]
//
// `ONLY=plain` or `ONLY=definitions` runs one side (for a profiler).
//
// The events are those of scripts/wrk/batch.lua (`Product Viewed`, a person's product and price),
// 70 events a millisecond apart in event time. Each round applies them to a new book twice: cold
// (every person new) and warm (the same people again, an hour later). Prints µs per event and the
// ratio of plain to with-definitions time, per round and as the median.
import Foundation
import KairosCore
import KairosEngine
import KairosServer

let arguments = Array(CommandLine.arguments.dropFirst())
let count = arguments.count > 0 ? Int(arguments[0]) ?? 300_000 : 300_000
let people = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let path = arguments.count > 2 ? arguments[2] : "scripts/definitions/bench.yaml"
let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3

let file: DefinitionsFile
let features: FeatureSet
let segments: SegmentSet
let triggers: TriggerSet
do {
    file = try DefinitionsFile.load(path: path)
    features = try FeatureSet.compile(file.features)
    segments = try SegmentSet.compile(file.segments, features: features)
    triggers = try TriggerSet.compile(file.triggers, channels: file.channels, features: features)
} catch {
    print("cannot load \(path): \(error)")
    exit(1)
}

/// The events of one pass, starting at `start` (ms) with sequence numbers from `firstSeq`.
func events(start: Millis, firstSeq: Int64) -> [Event] {
    let parser = EventParser()
    var result: [Event] = []
    result.reserveCapacity(count)
    for index in 0..<count {
        let user = index % people
        let body: JSONValue = [
            "type": "track", "event": "Product Viewed", "userId": .string("user-\(user)"),
            "messageId": .string("m-\(firstSeq)-\(index)"),
            "properties": ["product_id": .string("i-\(user % 100 * 37 % 5000)"), "price": 19.99, "currency": "EUR"],
            "context": ["page": ["path": "/p"], "userAgent": "bench"],
        ]
        let time = start + Millis(index / 70)
        do {
            var event = try parser.parse(body, impliedType: nil, receivedAt: time) { "unused" }
            event.seq = firstSeq + Int64(index)
            result.append(event)
        } catch {
            print("bad generated event: \(error)")
            exit(1)
        }
    }
    return result
}

/// Seconds to apply `events` to `book`; with definitions, the trigger engine gathers what its
/// conditions read and makes the waits, as ingest does (the waits are counted, not stored).
func apply(_ events: [Event], to book: ProfileBook, definitions: Bool) -> (seconds: Double, fired: Int) {
    var fired = 0
    let engine = TriggerEngine()
    let clock = ContinuousClock()
    let elapsed = clock.measure {
        for event in events {
            if definitions {
                let applied = book.apply(event, conditions: engine.reads(for: event, in: triggers))
                fired += engine.waits(for: event, profiles: book, in: triggers, applied: applied.context).count
            } else {
                _ = book.apply(event, conditions: nil)
            }
        }
    }
    return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, fired)
}

let start = Timestamp.parse("2026-11-22T10:00:00Z") ?? 0
let cold = events(start: start, firstSeq: 1)
let warm = events(start: start + 3_600_000, firstSeq: Int64(count) + 1)
print("\(count) events of \(people) people a pass, \(features.features.count) features, \(segments.segments.count) segments, \(triggers.triggers.count) triggers")
func micros(_ seconds: Double) -> Double { seconds * 1e6 / Double(count) }
func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
var ratios: [(Double, Double)] = []
for round in 1...rounds {
    var plain: [Double] = []
    var with: [Double] = []
    var fired = 0
    for definitions in [false, true] {
        if let only = ProcessInfo.processInfo.environment["ONLY"], only != (definitions ? "definitions" : "plain") {
            if definitions { with += [.nan, .nan] } else { plain += [.nan, .nan] }
            continue
        }
        let book = ProfileBook()
        if definitions {
            book.install(features)
            book.install(segments, now: start)
        }
        for pass in [cold, warm] {
            let result = apply(pass, to: book, definitions: definitions)
            if definitions { with.append(result.seconds) } else { plain.append(result.seconds) }
            fired += result.fired
        }
    }
    ratios.append((plain[0] / with[0], plain[1] / with[1]))
    print(
        "round \(round): plain \(format(micros(plain[0]))) / \(format(micros(plain[1]))) µs an event, "
            + "with definitions \(format(micros(with[0]))) / \(format(micros(with[1]))) µs "
            + "(cold / warm), ratio \(format(plain[0] / with[0], 3)) / \(format(plain[1] / with[1], 3)); \(fired) waits made")
}
let medianCold = ratios.map(\.0).sorted()[ratios.count / 2]
let medianWarm = ratios.map(\.1).sorted()[ratios.count / 2]
print("median ratio (plain ÷ with definitions): cold \(format(medianCold, 3)), warm \(format(medianWarm, 3))")
