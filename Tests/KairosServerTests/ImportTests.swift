import Foundation
import KairosCore
import KairosEngine
import KairosStore
import Logging
import ServiceLifecycle
import Testing

@Suite struct ImportTests {
    /// Runs `body` with a started pipeline on `directory`.
    func withPipeline<Value: Sendable>(
        _ directory: String, _ body: @Sendable (IngestPipeline) async throws -> Value
    ) async throws -> Value {
        let store = try SQLiteStore(directory: directory)
        var logger = Logger(label: "import-test")
        logger.logLevel = .critical
        let pipeline = IngestPipeline(store: store, profiles: ProfileBook(), logger: logger)
        let group = ServiceGroup(services: [pipeline], logger: logger)
        return try await withThrowingTaskGroup(of: Value?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let value = try await body(pipeline)
            await group.triggerGracefulShutdown()
            for try await _ in tasks {}
            return value
        }
    }

    @Test func theKindIsGuessedFromTheFileName() {
        #expect(ImportKind.infer(fromPath: "/data/events.ndjson") == .events)
        #expect(ImportKind.infer(fromPath: "user_events.ndjson") == .events)
        #expect(ImportKind.infer(fromPath: "product_events.csv") == .events)
        #expect(ImportKind.infer(fromPath: "catalog/products.csv") == .items)
        #expect(ImportKind.infer(fromPath: "users.csv") == .profiles)
        #expect(ImportKind.infer(fromPath: "dump.bin") == nil)
    }

    @Test func eventImportIsIdempotentAndResumable() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/events.ndjson"
        var lines = (0..<250).map { #"{"type":"track","userId":"imp\#($0 % 10)","event":"Viewed","timestamp":"2026-11-0\#($0 % 9 + 1)T10:00:00Z","properties":{"i":\#($0)}}"# }
        lines.insert("not json", at: 100)
        lines.insert(#"{"type":"track","event":"no id"}"#, at: 200)
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)

        let first = try await withPipeline(directory) { pipeline in
            try await Importer(pipeline: pipeline, batchSize: 40).run(path: file, kind: .events)
        }
        #expect(first.imported == 250)
        #expect(first.rejected == 2)
        #expect(first.errors.first?.hasPrefix("line 101:") == true)

        // Rerun: everything is skipped by the resume point.
        let second = try await withPipeline(directory) { pipeline in
            try await Importer(pipeline: pipeline, batchSize: 40).run(path: file, kind: .events)
        }
        #expect(second.resumedFrom == 252)
        #expect(second.imported == 0)

        // Lose the resume point (as after a crash between commit and checkpoint): still no duplicates.
        let store = try SQLiteStore(directory: directory)
        for key in ["events"] {
            let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
            let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! NSNumber
            try await store.setMetadata("import:\(key):\(absolute):\(size.intValue)", nil)
        }
        let third = try await withPipeline(directory) { pipeline in
            let report = try await Importer(pipeline: pipeline, batchSize: 40).run(path: file, kind: .events)
            #expect(pipeline.profiles.profile(id: "imp3")?.eventTotal == 25)
            return report
        }
        #expect(third.duplicates == 250)
        #expect(third.imported == 0)
        #expect(try await store.eventCount() == 250)
    }

    @Test func itemsAndProfilesImportFromCSV() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let items = directory + "/items.csv"
        try """
            id,title,category,tags,price,currency,available,colour
            i1,Trail Runner,Shoes > Running,trail|waterproof,129.5,EUR,true,blue
            i2,Bad Price,Shoes,,cheap,EUR,true,
            i3,"Socks, merino",Apparel,,19,EUR,false,grey
            """.write(toFile: items, atomically: true, encoding: .utf8)
        let profiles = directory + "/profiles.csv"
        try """
            userId,email,tier
            pu1,a@example.com,gold
            ,missing@example.com,silver
            """.write(toFile: profiles, atomically: true, encoding: .utf8)

        try await withPipeline(directory) { pipeline in
            let itemReport = try await Importer(pipeline: pipeline).run(path: items, kind: .items)
            #expect(itemReport.imported == 2)
            #expect(itemReport.rejected == 1)
            let item = try #require(try await pipeline.store.item(id: "i1"))
            #expect(item.tags == ["trail", "waterproof"])
            #expect(item.price == 129.5)
            #expect(item.attributes["colour"] == "blue")
            #expect(try await pipeline.store.item(id: "i3")?.available == false)

            let profileReport = try await Importer(pipeline: pipeline).run(path: profiles, kind: .profiles)
            #expect(profileReport.imported == 1)
            #expect(profileReport.rejected == 1)
            #expect(pipeline.profiles.profile(id: "pu1")?.traits["tier"] == "gold")
        }
    }
}
