import Foundation
import SegmindCatalog

#if canImport(FoundationNetworking)
import FoundationNetworking
import StrictJSON
#endif

/// A small HTTP client for the tests, over URLSession. Every request asks for `Connection: close`
/// so a connection the emulator drops is never silently retried on a reused socket.
struct EmulatorHTTP {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]

        var json: JSONValue? { try? JSONParser().parse(body) }
        var error: String? { json?["error"]?.stringValue }

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    let base: URL
    var key: String? = "emulator-key"

    func get(_ path: String) async throws -> Reply {
        try await send("GET", path, body: nil, contentType: nil)
    }

    func submit(_ slug: String, _ body: JSONValue, contentType: String = "application/json") async throws -> Reply {
        try await send("POST", "/v2/\(slug)", body: body.serialized(), contentType: contentType)
    }

    func send(_ method: String, _ path: String, body: [UInt8]?, contentType: String?) async throws -> Reply {
        let url = path.hasPrefix("http") ? URL(string: path)! : base.appendingPathComponent(path)
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 10)
        request.httpMethod = method
        request.setValue("close", forHTTPHeaderField: "Connection")
        if let key { request.setValue(key, forHTTPHeaderField: "x-api-key") }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let body { request.httpBody = Data(body) }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers["\(name)"] = "\(value)"
        }
        return Reply(status: http.statusCode, headers: headers, body: [UInt8](data))
    }

    /// Polls the status URL until `stop` holds or a minute has passed (the in-process server answers on the
    /// cooperative pool, which a loaded machine can keep busy for seconds).
    func pollStatus(_ id: String, until stop: (Reply) -> Bool) async throws -> Reply {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let reply = try await get("/v2/requests/\(id)/status")
            if stop(reply) || ContinuousClock.now > deadline { return reply }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Polls until the job is COMPLETED or FAILED and returns the result URL's answer.
    func waitForResult(_ id: String) async throws -> Reply {
        _ = try await pollStatus(id) { reply in
            let status = reply.json?["status"]?.stringValue
            return status == "COMPLETED" || status == "FAILED"
        }
        return try await get("/v2/requests/\(id)")
    }
}

extension JSONValue {
    /// A face-model body with the bundled face as raw base64.
    static func fluxBody(face: [UInt8], prompt: String = "an astronaut") -> JSONValue {
        .object(["main_face_image": .string(Data(face).base64EncodedString()), "prompt": .string(prompt)])
    }
}
