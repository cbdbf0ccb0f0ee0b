import Foundation
import KairosCore
import KairosServer
import Testing

/// The `--definitions` YAML: what is refused, with the section, the entry and the field.
@Suite struct DefinitionsFileTests {
    static func load(_ yaml: String) throws -> DefinitionsFile {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/definitions.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try DefinitionsFile.load(path: path)
    }

    static func error(_ yaml: String) -> APIError? {
        do {
            _ = try load(yaml)
            return nil
        } catch let error as APIError {
            return error
        } catch {
            Issue.record("not an APIError: \(error)")
            return nil
        }
    }

    @Test func badFilesNameTheSectionAndTheEntry() throws {
        let unknown = try #require(Self.error("features: []\nsegmnts: []\n"))
        #expect(unknown.field == "segmnts" && unknown.message.contains("unknown section 'segmnts'"))
        let notList = try #require(Self.error("segments:\n  id: vip\n  condition: 'true'\n"))
        #expect(notList.field == "segments" && notList.message.contains("must be a list"))
        let entry = try #require(Self.error("placements:\n  - id: ok\n  - id: bad\n    limit: 0\n"))
        #expect(entry.field == "limit" && entry.index == 1 && entry.message.contains("placements[1]"))
        let twice = try #require(Self.error("features:\n  - { id: a, type: count }\n  - { id: a, type: count }\n"))
        #expect(twice.code == "duplicate_id" && twice.index == 1)
        #expect(Self.error("- features\n")?.code == "invalid_yaml")
        #expect(Self.error("features: [\n")?.code == "invalid_yaml")
        #expect(try Self.load("").features.isEmpty)
        #expect(try Self.load("triggers:\n").triggers.isEmpty)  // an empty section
    }
}
