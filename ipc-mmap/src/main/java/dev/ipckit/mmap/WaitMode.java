package dev.ipckit.mmap;

import java.util.Locale;

/**
 * How an idle receiver (and a sender blocked on a full ring) waits, chosen by the {@code wait=} option and
 * stored in the ring file. The first four never sleep in the kernel on the ring's behalf, so senders never
 * need to wake anyone; the last two follow the waiting-word protocol and senders make a system call only
 * while the receiver sleeps.
 */
public enum WaitMode {
    /** Agrona {@code BusySpinIdleStrategy}: lowest latency, a whole core while idle. */
    SPIN,
    /** Agrona {@code YieldingIdleStrategy}: spins through {@code Thread.yield()}. */
    YIELD,
    /** Agrona {@code BackoffIdleStrategy}: spin, yield, then park 1 µs growing to 1 ms. The default. */
    BACKOFF,
    /** Agrona {@code SleepingMillisIdleStrategy}: park 1 ms between looks. */
    SLEEP,
    /** Spin and yield briefly, then FUTEX_WAIT on the shared futex word until a sender's FUTEX_WAKE. */
    FUTEX,
    /** Spin and yield briefly, then sleep through a {@link dev.ipckit.spi.WakeupProvider} (e.g. signal). */
    PROVIDER;

    /**
     * @return the code stored in the file's flags (the ordinal; codes are only ever appended).
     */
    public int code() {
        return ordinal();
    }

    /**
     * @return whether senders must check the waiting word and wake the receiver.
     */
    public boolean wakesReceiver() {
        return this == FUTEX || this == PROVIDER;
    }

    /**
     * @param name a built-in wait name, e.g. {@code futex}.
     * @return its mode, or null when the name is not built in (it may name a wake-up provider).
     */
    public static WaitMode builtIn(final String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "spin" -> SPIN;
            case "yield" -> YIELD;
            case "backoff" -> BACKOFF;
            case "sleep" -> SLEEP;
            case "futex" -> FUTEX;
            default -> null;
        };
    }

    /**
     * @param code a code from a validated file ({@link RingFileDescriptor#checkHeader} refuses unknown codes).
     * @return its mode.
     * @throws IllegalArgumentException when no mode has that code.
     */
    public static WaitMode ofCode(final int code) {
        final WaitMode[] modes = values();
        if (code < 0 || code >= modes.length) {
            throw new IllegalArgumentException("wait code=" + code + " is outside 0.." + (modes.length - 1));
        }
        return modes[code];
    }
}
