/// Bounds on what ``JSONParser`` accepts.
///
/// Sidecars arrive from shared folders and request bodies from the network, so both limits are
/// enforced before any work proportional to them is done: the size before the first byte is read,
/// the depth before a container is opened.
public struct JSONParsingLimits: Sendable, Hashable {
    /// The largest document accepted, in bytes. Default 1 MiB: a sidecar is a few hundred bytes.
    public var maxBytes: Int
    /// The deepest nesting of arrays and objects accepted. Default 64, at most
    /// ``JSONParsingLimits/depthCeiling``.
    public var maxDepth: Int

    /// The deepest nesting any limits allow. Reading is iterative, but a ``JSONValue`` is compared,
    /// written and finally freed recursively, so a document nested tens of thousands deep would
    /// exhaust a thread's stack long after it was read. A larger `maxDepth` is lowered to this.
    public static let depthCeiling = 512

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = min(maxDepth, Self.depthCeiling)
    }

    /// 1 MiB and 64 levels.
    public static let `default` = JSONParsingLimits()
}
