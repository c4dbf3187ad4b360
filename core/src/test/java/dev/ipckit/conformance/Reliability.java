package dev.ipckit.conformance;

/**
 * How long the reliability tests run. The default {@code mvn verify} runs the short forms; the
 * {@code reliability} Maven profile ({@code -Preliability}) sets the system properties below to run the long
 * ones. Each may also be given on the command line, e.g. {@code -Dipckit.chaos.seed=42} to repeat a run.
 *
 * <table>
 * <caption>Properties</caption>
 * <tr><th>property</th><th>short (default)</th><th>what</th></tr>
 * <tr><td>{@value #CHAOS_ROUNDS}</td><td>50</td><td>kill -9 rounds per transport</td></tr>
 * <tr><td>{@value #CHAOS_SEED}</td><td>the clock</td><td>the seed of the kill moments, printed by every run</td></tr>
 * <tr><td>{@value #FUZZ_CASES}</td><td>1,000,000</td><td>seeded random inputs per fuzzed decoder or validator</td></tr>
 * <tr><td>{@value #SOAK_SECONDS}</td><td>2</td><td>the least duration of the sustained run</td></tr>
 * <tr><td>{@value #SOAK_MESSAGES}</td><td>2,000,000</td><td>the least number of messages of the sustained run</td></tr>
 * <tr><td>{@value #RESOURCE_CHANNELS}</td><td>10,000</td><td>channels opened and closed per kind</td></tr>
 * </table>
 */
public final class Reliability {
    /** Property: kill -9 rounds per transport. */
    public static final String CHAOS_ROUNDS = "ipckit.chaos.rounds";
    /** Property: the seed of the chaos rounds. */
    public static final String CHAOS_SEED = "ipckit.chaos.seed";
    /** Property: seeded random inputs per fuzzed function. */
    public static final String FUZZ_CASES = "ipckit.fuzz.cases";
    /** Property: the least duration of the soak, in seconds. */
    public static final String SOAK_SECONDS = "ipckit.soak.seconds";
    /** Property: the least number of messages of the soak. */
    public static final String SOAK_MESSAGES = "ipckit.soak.messages";
    /** Property: channels opened and closed per kind by the resource tests. */
    public static final String RESOURCE_CHANNELS = "ipckit.resource.channels";

    private Reliability() {
    }

    /**
     * @return kill -9 rounds per transport.
     */
    public static int chaosRounds() {
        return (int) number(CHAOS_ROUNDS, 50);
    }

    /**
     * @return the seed given, or one taken from the clock (the tests print it).
     */
    public static long chaosSeed() {
        return number(CHAOS_SEED, System.nanoTime() ^ System.currentTimeMillis() * 1_000_003L);
    }

    /**
     * @return seeded random inputs per fuzzed function.
     */
    public static long fuzzCases() {
        return number(FUZZ_CASES, 1_000_000);
    }

    /**
     * @return the least duration of the soak, in seconds.
     */
    public static long soakSeconds() {
        return number(SOAK_SECONDS, 2);
    }

    /**
     * @return the least number of messages of the soak.
     */
    public static long soakMessages() {
        return number(SOAK_MESSAGES, 2_000_000);
    }

    /**
     * @return channels opened and closed per kind.
     */
    public static int resourceChannels() {
        return (int) number(RESOURCE_CHANNELS, 10_000);
    }

    private static long number(final String property, final long defaultValue) {
        final String value = System.getProperty(property, "").trim();
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(property + "=" + value + " is not a whole number", e);
        }
    }
}
