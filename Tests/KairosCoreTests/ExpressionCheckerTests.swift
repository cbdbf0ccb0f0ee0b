import Testing

@testable import KairosCore

@Suite struct ExpressionCheckerTests {
    @Test(arguments: [
        // Names
        ("foo.bar", 1, 1, "unknown name 'foo'"),
        ("event.name == x", 1, 15, "unknown name 'x'"),
        ("Event.name", 1, 1, "unknown name 'Event'"),
        ("size", 1, 1, "'size' is a function"),
        ("features", 1, 1, "'features' needs a feature name"),
        ("features.nope > 1", 1, 10, "unknown feature 'nope'"),
        ("features['nope']", 1, 10, "unknown feature 'nope'"),
        ("features[event.name]", 1, 10, "string literal"),
        ("'é' == 'é' && x", 1, 15, "unknown name 'x'"),
        ("event.name == 'x' &&\n  features.nope > 1", 2, 12, "unknown feature 'nope'"),
        // Functions
        ("nosuch(1)", 1, 1, "unknown function 'nosuch'"),
        ("event.name.nosuch()", 1, 12, "unknown function 'nosuch'"),
        ("size(1, 2)", 1, 1, "'size' takes 1 argument"),
        ("size()", 1, 1, "was given 0"),
        ("event.name.startsWith()", 1, 12, "'startsWith' takes 1 argument"),
        ("startsWith('a')", 1, 1, "'startsWith' takes 2 arguments"),
        ("min(1)", 1, 1, "'min' takes 2 arguments"),
        ("has(1)", 1, 5, "needs a field path"),
        ("has(event.name, 1)", 1, 1, "'has' takes 1 argument"),
        ("event.has(x)", 1, 7, "'has' is not a method"),
        ("size(true)", 1, 1, "'size' cannot be applied to (bool)"),
        ("lower(1)", 1, 1, "'lower' cannot be applied to (number)"),
        ("abs('x')", 1, 1, "'abs' cannot be applied"),
        ("min(1, 'a')", 1, 1, "'min' cannot be applied to (number, string)"),
        ("duration('3 parsecs')", 1, 10, "is not a duration"),
        ("timestamp('yesterday')", 1, 11, "is not a timestamp"),
        ("duration(5)", 1, 1, "'duration' cannot be applied to (number)"),
        // Operators
        ("\"a\" - 1", 1, 5, "'-' cannot be applied to a string and a number"),
        ("true < 3", 1, 6, "'<' cannot be applied to a bool and a number"),
        ("event.timestamp > 5", 1, 17, "a timestamp and a number"),
        ("30m + 1", 1, 5, "a duration and a number"),
        ("now + now", 1, 5, "a timestamp and a timestamp"),
        ("1h * 1h", 1, 4, "a duration and a duration"),
        ("'a' * 2", 1, 5, "'*'"),
        ("'a' == 1", 1, 5, "never equal"),
        ("event.name != 3", 1, 12, "never equal"),
        ("features.last_category > 3", 1, 24, "a string and a number"),
        ("features.views_5m + 1m", 1, 19, "a number and a duration"),
        ("1 in 2", 1, 6, "the right side of 'in'"),
        ("1 in event.properties", 1, 1, "'in' needs a string on its left"),
        ("!5", 1, 2, "'!' needs a boolean"),
        ("1 && true", 1, 1, "'&&' needs a boolean"),
        ("true || 'x'", 1, 9, "'||' needs a boolean"),
        ("-'a'", 1, 1, "'-' cannot be applied to a string"),
        ("1 ? 2 : 3", 1, 1, "the condition of '?:'"),
        ("event.timestamp > 'yesterday'", 1, 19, "is not a timestamp"),
        ("'soon' == now", 1, 1, "is not a timestamp"),
        // Paths
        ("event.name.x", 1, 12, "cannot read field 'x' of a string"),
        ("now.x", 1, 5, "cannot read field 'x' of a timestamp"),
        ("segments.x", 1, 10, "cannot read field 'x' of a list"),
        ("event.name[0]", 1, 11, "cannot index a string"),
        ("event.properties[0]", 1, 17, "indexed by string keys"),
        ("event.properties.tags[-1]", 1, 23, "whole number"),
        ("event.properties.tags[1.5]", 1, 23, "whole number"),
        ("segments[event.name]", 1, 10, "a list cannot be indexed by a string"),
        ("null.x", 1, 6, "cannot read field 'x' of null"),
        ("features.views_5m.x", 1, 19, "cannot read field 'x' of a number"),
    ])
    func rejects(source: String, line: Int, column: Int, fragment: String) throws {
        try ExpressionFixtures.expectError(source, line: line, column: column, fragment: fragment)
    }

    @Test(arguments: [
        ("1 + 2", 1, 1, "a number"),
        ("event.name", 1, 1, "a string"),
        ("null", 1, 1, "null"),
        ("now - event.timestamp", 1, 1, "a duration"),
        ("\n\n   'x'", 3, 4, "a string"),
        ("(1)", 1, 1, "a number"),
        ("[true]", 1, 1, "a list"),
    ])
    func conditionsMustBeBoolean(source: String, line: Int, column: Int, fragment: String) throws {
        #expect(ExpressionFixtures.error(source) == nil)
        let error = try #require(ExpressionFixtures.error(source, condition: true))
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.message.contains("a condition must be true or false"))
        #expect(error.message.hasSuffix(fragment), "\(error)")
    }

    @Test(arguments: [
        "event.properties.price * 2 > features.views_5m",
        "event.properties.x + event.properties.y > 0",
        "event.properties.when < now",
        "now - event.properties.when > 1h",
        "event.properties.a == 'x' || event.properties.a == 1",
        "profile.traits.age >= 18 && profile.traits.country in ['DE', 'AT']",
        "features.anything.deep.field == 3",
        "features.summary.a == 1",
        "size(event.properties.tags) > 1",
        "event.properties.flag && features.active",
        "min(event.properties.a, 3) > 1",
        "event.properties.n in event.properties.list",
        "event.properties.tags[features.views_5m] == 'x'",
        "event.properties[event.name] != null",
        "profile.eventCounts[event.name] > 3",
        "event.timestamp > '2026-01-01'",
        "event.properties.deadline - now < 2d",
        "event.properties.missing > null",
        "null + 1 == null",
        "has(features.views_5m) && has(segments) && has(profile.traits.tier)",
        "features.since > 1m && features.last_order < now",
        "'vip' in segments || segments.contains('gold')",
        "event.properties.x ? 1 : 'x'",
    ])
    func acceptsDynamicMixtures(source: String) {
        #expect(ExpressionFixtures.error(source, condition: true) == nil, "\(String(describing: ExpressionFixtures.error(source)))")
    }

    @Test(arguments: [
        ("1 + 2", ExpressionType.number),
        ("event.properties.price * 2", .dyn),
        ("event.properties.price % 2", .number),
        ("event.properties.x + 1", .number),
        ("event.properties.x + event.properties.y", .dyn),
        ("event.properties.x", .dyn),
        ("event.properties", .map),
        ("event.name", .string),
        ("event.type + event.userId", .string),
        ("event.timestamp", .timestamp),
        ("now - event.timestamp", .duration),
        ("now - profile.traits.signup", .dyn),
        ("now - profile.firstSeen", .duration),
        ("now - 1h", .timestamp),
        ("(now - event.timestamp) / 1m", .number),
        ("2 * 30m", .duration),
        ("profile.firstSeen", .timestamp),
        ("profile.eventCounts['Order Completed']", .number),
        ("profile.eventCounts[event.name]", .number),
        ("profile.traits", .map),
        ("profile.userId", .string),
        ("features.last_category", .string),
        ("features.recent", .list),
        ("segments", .list),
        ("[1, 2] + [3]", .list),
        ("size('a')", .number),
        ("event.properties.x ? 1 : 'x'", .dyn),
        ("true ? 1 : null", .number),
        ("true ? null : 'a'", .string),
        ("null", .null),
        ("event.name == 'x'", .bool),
        ("'a' in segments", .bool),
        ("min(30m, event.properties.x)", .duration),
        ("abs(event.properties.x)", .dyn),
        ("int(event.properties.x)", .number),
        ("string(1)", .string),
        ("duration('1h')", .duration),
        ("timestamp('2026-11-22')", .timestamp),
    ])
    func resultTypes(source: String, type: ExpressionType) throws {
        #expect(try ExpressionFixtures.compile(source).resultType == type)
    }

    @Test func collectsReferencedFeaturesAndSegments() throws {
        let expression = try ExpressionFixtures.compile(
            "features.views_5m > 1 && features['last_category'] == 'x' || has(features.active) || features.views_5m > 9")
        #expect(expression.referencedFeatures == ["views_5m", "last_category", "active"])
        #expect(!expression.referencesSegments)
        #expect(try ExpressionFixtures.compile("'a' in segments").referencesSegments)
        #expect(try ExpressionFixtures.compile("size(segments) > 0").referencesSegments)
        #expect(try ExpressionFixtures.compile("segments.contains('x')").referencesSegments)
        #expect(try ExpressionFixtures.compile("event.name == 'segments'").referencesSegments == false)
        #expect(try ExpressionFixtures.compile("event.name").referencedFeatures.isEmpty)
        // Constant folding must not hide a dependency.
        #expect(try ExpressionFixtures.compile("false && features.active").referencedFeatures == ["active"])
    }

    @Test func featureTypesComeFromTheEnvironment() throws {
        let environment = ExpressionEnvironment(features: ["score": .number, "tier": .string])
        #expect(throws: ExpressionError.self) { try Expression.compile("features.score == 'x'", environment: environment) }
        #expect(throws: ExpressionError.self) { try Expression.compile("features.tier > 3", environment: environment) }
        #expect(throws: ExpressionError.self) { try Expression.compile("features.views_5m > 3") }
        let expression = try Expression.compile("features.score > 3 && features.tier == 'gold'", environment: environment)
        #expect(expression.resultType == .bool)
        #expect(expression.source == "features.score > 3 && features.tier == 'gold'")
    }

    @Test func constantsAreFoldedAndLiteralsValidated() throws {
        let folded = try ExpressionFixtures.compile("1 + 2 * 3 == 7 && duration('1h') == 60m")
        guard case .constant(.bool(true)) = folded.root else {
            Issue.record("expected a folded constant, got \(folded.root)")
            return
        }
        let list = try ExpressionFixtures.compile("event.name in ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']")
        guard case .inStringSet = list.root else {
            Issue.record("expected a set lookup, got \(list.root)")
            return
        }
        let segments = try ExpressionFixtures.compile("'vip' in segments")
        guard case .segmentsContain = segments.root else {
            Issue.record("expected a segment lookup, got \(segments.root)")
            return
        }
    }

    /// A number is required where a value or priority is computed; the error points at where the
    /// expression starts, after any leading space.
    @Test func aNumberIsRequiredWhereOneIsComputed() throws {
        #expect(try Expression.compileNumber("1 + 2", what: "a value").resultType == .number)
        #expect(throws: ExpressionError(message: "a value must be a number, but this expression is a string", line: 2, column: 3)) {
            try Expression.compileNumber("\n  \"abc\"", what: "a value")
        }
    }

    /// `propensity` and `value` are known in a priority formula only; `lever` in every offer rule.
    @Test func propensityAndValueAreKnownInAPriorityFormulaOnly() throws {
        let priority = ExpressionEnvironment(offers: true, priority: true)
        let rules = ExpressionEnvironment(offers: true)
        for source in ["propensity * value * lever", "propensity * 2", "value + 1"] {
            #expect(try Expression.compileNumber(source, environment: priority, what: "a priority").resultType == .number, "\(source)")
        }
        for name in ["propensity", "value"] {
            do {
                _ = try Expression.compile("\(name) > 1", environment: rules)
                Issue.record("'\(name)' compiled outside a priority formula")
            } catch {
                #expect(error.message.contains("priority formula"), "\(error.message)")
            }
            // Outside offers it is no name at all.
            #expect(throws: ExpressionError.self) { try Expression.compile("\(name) > 1") }
        }
        #expect(try Expression.compileCondition("lever > 1", environment: rules).resultType == .bool)
    }
}
