/// Where a request goes, decided from its method and path alone.
enum Route: Sendable, Equatable {
    case submit(slug: String)
    case status(requestID: String)
    case result(requestID: String)
    case credits
    case upload
    case generation(requestID: String, file: String)
    case asset(file: String)
    case control(path: String)
    /// A known path reached with the wrong verb.
    case methodNotAllowed(EmulatorEndpoint)
    case notFound

    init(method: String, path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let isGet = method == "GET"
        let isPost = method == "POST"
        func expect(_ allowed: Bool, _ route: Route, _ endpoint: EmulatorEndpoint) -> Route {
            allowed ? route : .methodNotAllowed(endpoint)
        }
        switch parts.count {
        case _ where parts.first == "_emulator":
            self = .control(path: parts.dropFirst().joined(separator: "/"))
        case 2 where parts[0] == "v2":
            self = expect(isPost, .submit(slug: parts[1]), .submit)
        case 4 where parts[0] == "v2" && parts[1] == "requests" && parts[3] == "status":
            self = expect(isGet, .status(requestID: parts[2]), .status)
        case 3 where (parts[0] == "v2" || parts[0] == "v1") && parts[1] == "requests":
            self = expect(isGet, .result(requestID: parts[2]), .result)
        case 2 where parts[0] == "v1" && parts[1] == "get-user-credits":
            self = expect(isGet, .credits, .credits)
        case 1 where parts[0] == "upload-asset":
            self = expect(isPost, .upload, .upload)
        case 3 where parts[0] == "generations":
            self = expect(isGet, .generation(requestID: parts[1], file: parts[2]), .output)
        case 2 where parts[0] == "assets":
            self = expect(isGet, .asset(file: parts[1]), .output)
        default:
            self = .notFound
        }
    }

    /// The endpoint kind the ledger files this request under.
    var endpoint: EmulatorEndpoint {
        switch self {
        case .submit: .submit
        case .status: .status
        case .result: .result
        case .credits: .credits
        case .upload: .upload
        case .generation, .asset: .output
        case .control, .methodNotAllowed, .notFound: .other
        }
    }
}
