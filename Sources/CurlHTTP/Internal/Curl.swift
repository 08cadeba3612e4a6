import CCurl
import FileSystem
import Foundation
import Synchronization

// Every call into libcurl and every raw pointer of this module lives in this file. The rest of the
// module sees `CurlEasy`, `CurlMulti` and `ResponseSink` values only.
//
// Threading: `CurlEasy` and `CurlMulti` are touched by the single transfer thread of `CurlMultiLoop`,
// except `CurlMulti.wakeup()`, which libcurl documents as callable from any thread.

/// Initialises libcurl once per process, before any transfer thread starts.
///
/// `curl_global_init` is not thread-safe in older libcurl versions, so it runs under a lock exactly once.
enum CurlGlobal {
    private static let state = Mutex<CURLcode?>(nil)

    static func initialize() -> Bool {
        state.withLock { code in
            if code == nil {
                code = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
            }
            return code == CURLE_OK
        }
    }

    /// libcurl's version line, e.g. `libcurl/7.88.1 OpenSSL/3.0.17 zlib/1.2.13`.
    static var version: String {
        guard let text = curl_version() else { return "unknown" }
        return String(cString: text)
    }
}

/// Where a transfer's response body goes, with the size cap enforced while bytes stream in.
final class ResponseSink {
    enum Destination {
        case memory
        case file(OpenFile)
    }

    let limit: Int
    let destination: Destination
    /// The request's ``HTTPRequest/beforeSending`` hook, if it has one.
    let beforeSending: (@Sendable () -> Bool)?
    /// How many times libcurl was about to send the request (more than once after a retry of its own).
    private(set) var sendAttempts = 0
    /// The hook refused: the request was never sent.
    private(set) var refusedBeforeSending = false
    private(set) var body: [UInt8] = []
    private(set) var receivedBytes = 0
    private(set) var exceededLimit = false
    private(set) var writeFailure: String?

    private(set) var statusLine = ""
    private(set) var headers: [(String, String)] = []

    init(limit: Int, destination: Destination, beforeSending: (@Sendable () -> Bool)? = nil) {
        self.limit = limit
        self.destination = destination
        self.beforeSending = beforeSending
    }

    /// libcurl is about to send the request: asks the hook the first time; refuses a second send.
    fileprivate func prerequest() -> Bool {
        sendAttempts += 1
        guard let beforeSending else { return true }
        guard sendAttempts == 1 else { return false }
        let allowed = beforeSending()
        refusedBeforeSending = !allowed
        return allowed
    }

    /// Takes one chunk of body bytes; returns false to make libcurl abort the transfer.
    fileprivate func receive(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if receivedBytes + chunk.count > limit {
            exceededLimit = true
            return false
        }
        receivedBytes += chunk.count
        switch destination {
        case .memory:
            body.append(contentsOf: chunk)
        case .file(let handle):
            do {
                try handle.append(chunk)
            } catch {
                writeFailure = String(describing: error)
                return false
            }
        }
        return true
    }

    /// Takes one header line as libcurl hands it over (with its CR LF). A new status line starts a new header
    /// block (after a redirect or an interim `100 Continue`), so only the final response's headers are kept.
    ///
    /// Parsed on the bytes: every response passes here several times, and Foundation's `trimmingCharacters`
    /// (a character set walked through an `NSString` bridge) cost more than the rest of the response's handling.
    fileprivate func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        let bytes = Self.trimmed(line[...])
        if bytes.starts(with: "HTTP/".utf8) {
            statusLine = String(decoding: bytes, as: UTF8.self)
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: Self.trimmed(bytes[..<colon]), as: UTF8.self)
        let value = String(decoding: Self.trimmed(bytes[(colon + 1)...]), as: UTF8.self)
        headers.append((name, value))
    }

    /// The bytes without the spaces, tabs, CRs and LFs at either end.
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }
}

/// The figures libcurl reports about a finished transfer.
struct CurlTransferInfo {
    var responseCode: Int
    /// Bytes of request headers handed to the connection: zero means the request never left.
    var requestHeaderBytes: Int
    var uploadedBytes: Int64
    /// Microseconds until libcurl was about to send the request: zero means it never started.
    var pretransferMicroseconds: Int64
    var totalMicroseconds: Int64
    var effectiveURL: String?
}

/// One easy handle and the memory libcurl borrows from it for the length of a transfer.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var errorBuffer: UnsafeMutablePointer<CChar>
    /// Keeps the sink alive while libcurl holds a pointer to it.
    private var sink: ResponseSink?

    /// A stable number naming this handle, used to match `curl_multi_info_read` messages.
    let identifier: Int

    init?() {
        guard CurlGlobal.initialize(), let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.identifier = Int(bitPattern: handle)
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        _ = facedrop_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        // Signals must not be used for timeouts in a multithreaded process.
        _ = facedrop_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// The message libcurl wrote for the last failure, if any.
    var errorMessage: String {
        String(cString: errorBuffer)
    }

    /// Sets a string option; libcurl copies the string.
    func set(_ option: CURLoption, _ value: String) -> CURLcode {
        value.withCString { facedrop_curl_easy_setopt_string(handle, option, $0) }
    }

    func set(_ option: CURLoption, _ value: Int) -> CURLcode {
        facedrop_curl_easy_setopt_long(handle, option, value)
    }

    func set(_ option: CURLoption, _ value: Bool) -> CURLcode {
        facedrop_curl_easy_setopt_long(handle, option, value ? 1 : 0)
    }

    func set(_ option: CURLoption, offset value: Int64) -> CURLcode {
        facedrop_curl_easy_setopt_off_t(handle, option, curl_off_t(value))
    }

    /// Replaces the request headers; the list stays alive until the handle is released.
    func setHeaders(_ lines: [String]) -> CURLcode {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else { return CURLE_OUT_OF_MEMORY }
            headerList = appended
        }
        return facedrop_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
    }

    /// Sets the request body. libcurl copies the bytes (`CURLOPT_COPYPOSTFIELDS`), so the array need not
    /// outlive the call.
    func setBody(_ body: [UInt8]) -> CURLcode {
        let sized = facedrop_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        guard sized == CURLE_OK else { return sized }
        if body.isEmpty {
            return facedrop_curl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
        }
        return body.withUnsafeBytes { raw in
            facedrop_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
        }
    }

    /// Routes the response's headers and body into `sink` through the write and header callbacks.
    func attach(_ sink: ResponseSink) -> CURLcode {
        self.sink = sink
        let context = Unmanaged.passUnretained(sink).toOpaque()
        for code in [
            facedrop_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback),
            facedrop_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context),
            facedrop_curl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback),
            facedrop_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context),
        ] where code != CURLE_OK {
            return code
        }
        if sink.beforeSending != nil {
            for code in [
                facedrop_curl_easy_setopt_prereq_callback(handle, curlPrerequestCallback),
                facedrop_curl_easy_setopt_pointer(handle, CURLOPT_PREREQDATA, context),
            ] where code != CURLE_OK {
                return code
            }
        }
        return CURLE_OK
    }

    /// Reads the transfer figures after completion.
    func info() -> CurlTransferInfo {
        var code = 0
        _ = facedrop_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        var requestSize = 0
        _ = facedrop_curl_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestSize)
        var uploaded: curl_off_t = 0
        _ = facedrop_curl_easy_getinfo_off_t(handle, CURLINFO_SIZE_UPLOAD_T, &uploaded)
        var pretransfer: curl_off_t = 0
        _ = facedrop_curl_easy_getinfo_off_t(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
        var total: curl_off_t = 0
        _ = facedrop_curl_easy_getinfo_off_t(handle, CURLINFO_TOTAL_TIME_T, &total)
        var url: UnsafePointer<CChar>?
        _ = facedrop_curl_easy_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &url)
        return CurlTransferInfo(
            responseCode: code,
            requestHeaderBytes: requestSize,
            uploadedBytes: Int64(uploaded),
            pretransferMicroseconds: Int64(pretransfer),
            totalMicroseconds: Int64(total),
            effectiveURL: url.map { String(cString: $0) }
        )
    }

    fileprivate var rawHandle: UnsafeMutableRawPointer { handle }
}

/// The outcome of one transfer, as reported by `curl_multi_info_read`.
struct CurlCompletion {
    var easyIdentifier: Int
    fileprivate var code: CURLcode
}

extension CurlEasy {
    /// Reads libcurl's verdict on a finished transfer: its figures, or the reason it failed.
    ///
    /// The error says whether the request may have reached the server. Only failures that happen
    /// before libcurl starts sending (DNS, connect, TLS handshake, a bad URL) count as "not sent";
    /// anything after the pre-transfer mark might have been received.
    func verdict(on completion: CurlCompletion, sink: ResponseSink) -> Result<CurlTransferInfo, HTTPClientError> {
        let info = info()
        let code = completion.code
        if code == CURLE_OK { return .success(info) }
        let detail = errorMessage.isEmpty ? curlDescription(code) : errorMessage
        let requestSent = info.pretransferMicroseconds > 0 || info.requestHeaderBytes > 0 || info.uploadedBytes > 0
        if code == CURLE_ABORTED_BY_CALLBACK, sink.refusedBeforeSending {
            return .failure(.refusedBeforeSending)
        }
        if code == CURLE_ABORTED_BY_CALLBACK, sink.sendAttempts > 1 {
            return .failure(.connectionLost(requestSent: true, detail: "the connection died after the request was sent; it was not sent a second time"))
        }
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .failure(.invalidURL(detail))
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failure(.couldNotResolveHost(detail))
        case CURLE_COULDNT_CONNECT:
            return .failure(.couldNotConnect(detail))
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            return .failure(requestSent ? .connectionLost(requestSent: true, detail: detail) : .tlsFailure(detail))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut(requestSent: requestSent))
        case CURLE_WRITE_ERROR where sink.exceededLimit, CURLE_FILESIZE_EXCEEDED:
            return .failure(.responseTooLarge(limit: sink.limit))
        case CURLE_WRITE_ERROR where sink.writeFailure != nil:
            return .failure(.fileError(path: "", detail: sink.writeFailure ?? detail))
        case CURLE_PARTIAL_FILE:
            return .failure(.truncatedResponse(receivedBytes: sink.receivedBytes))
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            return .failure(.connectionLost(requestSent: requestSent, detail: detail))
        default:
            return .failure(.transferFailed(code: Int(code.rawValue), detail: detail))
        }
    }
}

/// One multi handle: the connection cache and the event loop all transfers share.
final class CurlMulti {
    private let handle: UnsafeMutableRawPointer

    init?(maxTotalConnections: Int, maxHostConnections: Int) {
        guard CurlGlobal.initialize(), let handle = curl_multi_init() else { return nil }
        self.handle = handle
        _ = facedrop_curl_multi_setopt_long(handle, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxTotalConnections)
        _ = facedrop_curl_multi_setopt_long(handle, CURLMOPT_MAX_HOST_CONNECTIONS, maxHostConnections)
        _ = facedrop_curl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, max(maxTotalConnections, 8))
    }

    deinit {
        curl_multi_cleanup(handle)
    }

    /// Starts driving `easy`; returns the reason when libcurl refuses it.
    func add(_ easy: CurlEasy) -> HTTPClientError? {
        let code = curl_multi_add_handle(handle, easy.rawHandle)
        guard code != CURLM_OK else { return nil }
        return .transferFailed(code: Int(code.rawValue), detail: curlDescription(code))
    }

    func remove(_ easy: CurlEasy) {
        _ = curl_multi_remove_handle(handle, easy.rawHandle)
    }

    /// Drives every transfer as far as it can go without blocking; returns the number still running.
    func perform() -> Int {
        var running: Int32 = 0
        _ = curl_multi_perform(handle, &running)
        return Int(running)
    }

    /// Blocks until a socket is ready, libcurl's next timer is due, `timeoutMilliseconds` passes, or
    /// another thread calls `wakeup()`.
    func poll(timeoutMilliseconds: Int) {
        var ready: Int32 = 0
        _ = curl_multi_poll(handle, nil, 0, Int32(clamping: timeoutMilliseconds), &ready)
    }

    /// Interrupts a `poll` from any thread.
    func wakeup() {
        _ = curl_multi_wakeup(handle)
    }

    /// Takes the next finished transfer, if any.
    func nextCompletion() -> CurlCompletion? {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(handle, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            return CurlCompletion(easyIdentifier: Int(bitPattern: easy), code: message.pointee.data.result)
        }
        return nil
    }
}

/// A readable name for a libcurl result code.
func curlDescription(_ code: CURLcode) -> String {
    guard let text = curl_easy_strerror(code) else { return "libcurl error \(code.rawValue)" }
    return String(cString: text)
}

/// A readable name for a libcurl multi result code.
func curlDescription(_ code: CURLMcode) -> String {
    guard let text = curl_multi_strerror(code) else { return "libcurl multi error \(code.rawValue)" }
    return String(cString: text)
}

private let curlWriteCallback: facedrop_curl_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return 0 }
    let accepted = sink.receive(UnsafeRawBufferPointer(start: data, count: length))
    return accepted ? length : 0
}

private let curlPrerequestCallback: facedrop_curl_prereq_callback = { context, _, _, _, _ in
    guard let context else { return 1 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    return sink.prerequest() ? 0 : 1
}

private let curlHeaderCallback: facedrop_curl_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return length }
    let bytes = UnsafeRawBufferPointer(start: data, count: length)
    sink.receiveHeaderLine(bytes)
    return length
}

extension CurlEasy {
    /// Applies a request and the client's settings to this handle.
    ///
    /// TLS verification stays on (peer and host), proxies come from the environment as libcurl reads
    /// them (`http_proxy`, `https_proxy`, `no_proxy`), and `Expect: 100-continue` is disabled so a body
    /// is sent at once instead of after a wait.
    func configure(for request: HTTPRequest, settings: HTTPClientConfiguration, limit: Int) -> HTTPClientError? {
        var lines = request.headers.map { "\($0.name): \($0.value)" }
        if request.body != nil, request.headers["Expect"] == nil {
            lines.append("Expect:")
        }
        let connectTimeout = (request.connectTimeout ?? settings.connectTimeout).wholeMilliseconds
        let timeout = (request.timeout ?? settings.timeout).wholeMilliseconds
        var codes: [CURLcode] = [
            set(CURLOPT_URL, request.url),
            set(CURLOPT_PROTOCOLS_STR, "http,https"),
            set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
            set(CURLOPT_FOLLOWLOCATION, request.followRedirects),
            set(CURLOPT_MAXREDIRS, 5),
            set(CURLOPT_SSL_VERIFYPEER, true),
            set(CURLOPT_SSL_VERIFYHOST, 2),
            set(CURLOPT_CONNECTTIMEOUT_MS, connectTimeout),
            set(CURLOPT_TIMEOUT_MS, timeout),
            set(CURLOPT_USERAGENT, settings.userAgent),
            set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(limit)),
            set(CURLOPT_TCP_KEEPALIVE, true),
            setHeaders(lines),
        ]
        switch request.method {
        case .get:
            codes.append(set(CURLOPT_HTTPGET, true))
        case .head:
            codes.append(set(CURLOPT_NOBODY, true))
        case .post, .put, .delete:
            codes.append(set(CURLOPT_CUSTOMREQUEST, request.method.rawValue))
        }
        if request.method == .post {
            // libcurl silently sends a request again on a new connection when a reused one dies before any
            // answer; for a POST that may already have been acted on (a billed generation) that is a second
            // charge. A fresh connection has no such retry: a drop surfaces as an error to judge.
            codes.append(set(CURLOPT_FRESH_CONNECT, true))
        }
        if let body = request.body {
            codes.append(setBody(body))
        } else if request.method == .post {
            codes.append(setBody([]))
        }
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            if failed == CURLE_URL_MALFORMAT || failed == CURLE_UNSUPPORTED_PROTOCOL {
                return .invalidURL(request.url)
            }
            return .transferFailed(code: Int(failed.rawValue), detail: curlDescription(failed))
        }
        return nil
    }
}
