/// A host seen in an inbox's `hosts/` folder: its lease and how old the lease is on the share's clock.
package struct SeenHost: Sendable, Hashable {
    /// The lease file's name in `hosts/`.
    package var leaseName: String
    package var lease: HostLease
    /// The time since the lease was last renewed, on the share's clock.
    package var age: Duration

    package init(leaseName: String, lease: HostLease, age: Duration) {
        self.leaseName = leaseName
        self.lease = lease
        self.age = age
    }

    /// Whether the host counts as dead: its lease went unrenewed for longer than `takeoverAfter`, the setting of
    /// the host that asks (every host of a share must agree on it; the lease says what its writer uses).
    package func isDead(takeoverAfter: Duration) -> Bool { age > takeoverAfter }
}
