/// Any `Clock<Duration>` as one concrete clock, whose instants are the time elapsed since it was made.
///
/// The daemon's timers (the request budget, the credits file's spacing, the loops' deadlines) run on a
/// continuous clock in production and on a clock the tests move by hand. A type that stored
/// `any Clock<Duration>` could not keep its instants (each clock has its own `Instant` type), and one made
/// generic over its clock would pass that parameter on to everything that holds it. This wrapper keeps the
/// clock it was given and reads it as offsets from one origin, so its instants are one plain type that can
/// be stored, compared and slept until, whichever clock is behind it.
///
/// Instants of two wrappers made at different times have different origins: parts that compare instants
/// share one wrapper (``init(_:)`` keeps an `ElapsedClock` it is given as it is).
package struct ElapsedClock: Clock {
    /// A moment as the time elapsed since the wrapper's origin.
    package struct Instant: InstantProtocol {
        package var offset: Duration

        package init(offset: Duration) {
            self.offset = offset
        }

        package func advanced(by duration: Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        package func duration(to other: Instant) -> Duration {
            other.offset - offset
        }

        package static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        package static func + (lhs: Instant, rhs: Duration) -> Instant {
            lhs.advanced(by: rhs)
        }

        package static func - (lhs: Instant, rhs: Duration) -> Instant {
            lhs.advanced(by: .zero - rhs)
        }

        /// How long after `rhs` `lhs` is.
        package static func - (lhs: Instant, rhs: Instant) -> Duration {
            rhs.duration(to: lhs)
        }
    }

    package let minimumResolution: Duration
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration, Duration?) async throws -> Void

    /// Reads `clock` from now on; an `ElapsedClock` is kept as it is, so its instants stay comparable.
    package init(_ clock: some Clock<Duration>) {
        if let clock = clock as? ElapsedClock {
            self = clock
            return
        }
        self.init(wrapping: clock)
    }

    private init<C: Clock<Duration>>(wrapping clock: C) {
        let origin = clock.now
        minimumResolution = clock.minimumResolution
        elapsed = { origin.duration(to: clock.now) }
        sleeper = { offset, tolerance in try await clock.sleep(until: origin.advanced(by: offset), tolerance: tolerance) }
    }

    package var now: Instant {
        Instant(offset: elapsed())
    }

    package func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await sleeper(deadline.offset, tolerance)
    }
}
