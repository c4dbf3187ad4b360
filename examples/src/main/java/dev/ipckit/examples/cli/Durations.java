package dev.ipckit.examples.cli;

import java.time.Duration;

import dev.ipckit.ChannelUri;

/**
 * Reads command-line durations the way channel URIs do: {@code 250ms}, {@code 5s}, {@code 2m}.
 */
final class Durations {
    private Durations() {
    }

    static Duration parse(final String option, final String text) {
        try {
            return ChannelUri.parse("cli:?d=" + text).duration("d", Duration.ZERO);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + text + " is not a duration (a number and a unit ns, us, ms, s, m or h, e.g. 5s)");
        }
    }
}
