import Testing

@testable import KairosCore

/// Random inputs: compilation must return or throw (never crash or hang) and evaluation of
/// whatever compiles must return a value for any context.
@Suite struct ExpressionFuzzTests {
    private static let environment = ExpressionFixtures.environment
    private static let contexts = [
        ExpressionFixtures.context, EvaluationContext(now: 0),
        EvaluationContext(event: ExpressionFixtures.pageEvent, eventTimestamp: .min, profile: "not an object",
                          features: ["views_5m": .string("x")], segments: [""], now: .max),
    ]

    private static let tokens = [
        "event", "profile", "features", "segments", "now", "context", ".", "name", "properties", "price", "traits",
        "tier", "timestamp", "views_5m", "eventCounts", "[", "]", "(", ")", ",", "?", ":", "!", "-", "+", "*", "/",
        "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "in", "1", "2.5", "1e3", "0", "30m", "500ms", "2w", "'a'",
        "\"b\"", "''", "true", "false", "null", "has", "size", "lower", "startsWith", "contains", "duration", "min",
        "abs", "string", "int", "x", "'2026-11-22T10:00:00Z'", "'1h'", "=", "&", "|", "#", "\\", "'", "\"", "é",
    ]

    static let seeds: [String] = [
        #"event.name == "Product Viewed" && event.properties.price > 100"#,
        #"profile.traits.tier in ["gold", "platinum"] && features.views_5m >= 3"#,
        "now - event.timestamp < 30m && has(event.properties.product_id)",
        "profile.eventCounts['Order Completed'] >= 1 && 'shoppers' in segments && context.device.type == 'mobile'",
        "event.properties.tags.contains('sale') ? size(event.properties.tags) : -1",
        "lower(profile.traits.email).endsWith('@example.com') || timestamp('2026-11-22') < profile.firstSeen",
        #"string(event.properties["odd key"]) + '\u00e9' == "yes\t" && min(1h, duration('90m')) > 30s"#,
        "[1, 2.5e3, 'x', [true, null]][3][0] != (features.active ? 1 : 0) % 2",
    ]

    /// Compiles `source`; when it compiles, evaluates it in every fixed context.
    private static func exercise(_ source: String) -> Bool {
        guard let expression = try? Expression.compile(source, environment: environment) else { return false }
        for context in contexts {
            _ = expression.evaluate(context)
            _ = expression.matches(context)
        }
        return true
    }

    @Test func randomTokenSequences() {
        var random = ExpressionRandomGenerator(seed: 1)
        var compiled = 0
        let elapsed = ContinuousClock().measure {
            for _ in 0..<4000 {
                let count = Int.random(in: 1...30, using: &random.rng)
                let separator = random.chance(0.7) ? " " : ""
                let source = (0..<count).map { _ in random.pick(Self.tokens) }.joined(separator: separator)
                if Self.exercise(source) { compiled += 1 }
            }
        }
        #expect(compiled > 0)
        #expect(elapsed < .seconds(10))
    }

    @Test func mutatedAndTruncatedExpressions() {
        var random = ExpressionRandomGenerator(seed: 2)
        let alphabet = Array("()[]{}.,?:!-+*/%<>=&|'\"\\ \n\tabcdeéfxyz019_😀") + [Character("\u{0}")]
        var compiled = 0
        let elapsed = ContinuousClock().measure {
            for round in 0..<6000 {
                var characters = Array(random.pick(Self.seeds))
                for _ in 0...Int.random(in: 0..<4, using: &random.rng) where !characters.isEmpty {
                    let position = Int.random(in: 0..<characters.count, using: &random.rng)
                    switch Int.random(in: 0..<5, using: &random.rng) {
                    case 0: characters.remove(at: position)
                    case 1: characters.insert(random.pick(alphabet), at: position)
                    case 2: characters[position] = random.pick(alphabet)
                    case 3: characters.removeSubrange(position...)
                    default:
                        let end = min(characters.count, position + Int.random(in: 1...12, using: &random.rng))
                        characters.insert(contentsOf: characters[position..<end], at: position)
                    }
                }
                if round % 50 == 0 { characters = Array(String(repeating: String(characters), count: 3)) }
                if Self.exercise(String(characters)) { compiled += 1 }
            }
        }
        #expect(compiled > 100)
        #expect(elapsed < .seconds(10))
    }

    @Test func randomCharacters() {
        var random = ExpressionRandomGenerator(seed: 3)
        let scalars: [Unicode.Scalar] = (0x00...0x7F).compactMap(Unicode.Scalar.init) + ["é", "€", "😀", "\u{FEFF}", "\u{200B}"]
        let elapsed = ContinuousClock().measure {
            for _ in 0..<3000 {
                var text = ""
                for _ in 0..<Int.random(in: 0...40, using: &random.rng) { text.unicodeScalars.append(random.pick(scalars)) }
                _ = Self.exercise(text)
            }
        }
        #expect(elapsed < .seconds(10))
    }

    @Test func hostileShapes() {
        let shapes = [
            String(repeating: "(", count: 5000), String(repeating: "[", count: 4000), String(repeating: "!", count: 4096),
            String(repeating: "-", count: 4000) + "1", String(repeating: "a.", count: 2000) + "b",
            "event" + String(repeating: ".x", count: 2000), "event" + String(repeating: "[0]", count: 1300),
            String(repeating: "1 ? ", count: 1000) + "1", "size(" + String(repeating: "1,", count: 2000) + "1)",
            "'" + String(repeating: "\\u", count: 2000), String(repeating: "é", count: 3000),
            "[" + String(repeating: "1,", count: 2040) + "1]",
            String(repeating: "true && ", count: 500) + "true", String(repeating: "x || ", count: 800) + "x",
            "event.properties" + String(repeating: "['k']", count: 800),
        ]
        let elapsed = ContinuousClock().measure {
            for shape in shapes { _ = Self.exercise(shape) }
        }
        #expect(elapsed < .seconds(5))
    }

    @Test func generatedExpressionsCompileAndEvaluate() {
        var random = ExpressionRandomGenerator(seed: 4)
        var evaluated = 0
        let elapsed = ContinuousClock().measure {
            for _ in 0..<2500 {
                let type = random.pick([ExpressionType.bool, .number, .string, .duration, .timestamp, .list, .dyn])
                let source = random.expression(type, depth: Int.random(in: 1...5, using: &random.rng))
                guard source.utf8.count <= Expression.maximumLength else { continue }
                let expression: Expression
                do {
                    expression = try Expression.compile(source, environment: Self.environment)
                } catch {
                    Issue.record("generated expression does not compile: \(source)\n\(error)")
                    continue
                }
                #expect(expression.resultType == type || expression.resultType == .dyn
                    || expression.resultType == .null || type == .dyn, "\(source): \(expression.resultType)")
                for _ in 0..<3 {
                    let context = random.context()
                    let first = expression.evaluate(context)
                    #expect(first.description == expression.evaluate(context).description, "\(source)")
                    _ = expression.matches(context)
                    evaluated += 1
                }
            }
        }
        #expect(evaluated > 5000)
        #expect(elapsed < .seconds(20))
    }
}
