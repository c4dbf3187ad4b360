package dev.ipckit;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed channel URI: {@code scheme:path?name=value&name=value}.
 *
 * <p>Transports read their options through the typed getters, which all fail with an
 * {@link IllegalArgumentException} that names the option, the value and the URI. Sizes take a binary
 * suffix ({@code 4k}, {@code 1m}, {@code 1g}); durations take a unit ({@code 250ns}, {@code 10us},
 * {@code 5ms}, {@code 5s}, {@code 2m}, {@code 1h}) and {@code 0} alone. A transport calls
 * {@link #requireOnly(Set)} first, so that a misspelt option is an error rather than silently ignored.
 */
public final class ChannelUri {
    private final String uri;
    private final String scheme;
    private final String path;
    private final Map<String, String> options;

    private ChannelUri(final String uri, final String scheme, final String path, final Map<String, String> options) {
        this.uri = uri;
        this.scheme = scheme;
        this.path = path;
        this.options = options;
    }

    /**
     * Parses a URI.
     *
     * @param uri such as {@code fifo:/tmp/q.fifo?nonblock=true&timeout=5s}.
     * @return the parsed form.
     * @throws IllegalArgumentException when the URI has no scheme, an empty option name, or an option twice.
     */
    public static ChannelUri parse(final String uri) {
        if (uri == null || uri.isEmpty()) {
            throw new IllegalArgumentException("channel URI is empty; expected scheme:path?options, e.g. mmap:orders");
        }
        final int colon = uri.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("channel URI '" + uri + "' has no scheme; expected scheme:path?options, "
                + "e.g. mmap:orders or fifo:/tmp/orders.fifo");
        }
        final String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        for (int i = 0; i < scheme.length(); i++) {
            final char c = scheme.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.')) {
                throw new IllegalArgumentException("channel URI '" + uri + "' has an invalid scheme '" + scheme + "'");
            }
        }
        final int query = uri.indexOf('?', colon + 1);
        final String path = query < 0 ? uri.substring(colon + 1) : uri.substring(colon + 1, query);
        final Map<String, String> options = new LinkedHashMap<>();
        if (query >= 0 && query + 1 < uri.length()) {
            for (final String pair : uri.substring(query + 1).split("&", -1)) {
                if (pair.isEmpty()) {
                    continue;
                }
                final int eq = pair.indexOf('=');
                final String name = eq < 0 ? pair : pair.substring(0, eq);
                final String value = eq < 0 ? "" : pair.substring(eq + 1);
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("channel URI '" + uri + "' has an option with no name: '" + pair + "'");
                }
                if (options.put(name, value) != null) {
                    throw new IllegalArgumentException("channel URI '" + uri + "' gives option '" + name + "' twice");
                }
            }
        }
        return new ChannelUri(uri, scheme, path, Collections.unmodifiableMap(options));
    }

    /**
     * @return the URI exactly as given.
     */
    public String uri() {
        return uri;
    }

    /**
     * @return the scheme in lower case, e.g. {@code mmap}.
     */
    public String scheme() {
        return scheme;
    }

    /**
     * @return what stands between the scheme and the options, e.g. {@code /dev/shm/orders} or {@code fd=3}.
     */
    public String path() {
        return path;
    }

    /**
     * @return every option in the order given.
     */
    public Map<String, String> options() {
        return options;
    }

    /**
     * @param name of an option.
     * @return whether the URI gives it.
     */
    public boolean has(final String name) {
        return options.containsKey(name);
    }

    /**
     * Refuses options this transport does not know.
     *
     * @param known the option names the transport reads.
     * @return this URI.
     * @throws IllegalArgumentException naming the unknown option and listing the known ones.
     */
    public ChannelUri requireOnly(final Set<String> known) {
        for (final String name : options.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "' in '" + uri + "'; " + scheme
                    + " channels take: " + String.join(", ", new TreeSet<>(known)));
            }
        }
        return this;
    }

    /**
     * @param name of the option.
     * @param defaultValue when absent.
     * @return the option's text.
     */
    public String string(final String name, final String defaultValue) {
        final String value = options.get(name);
        return value == null ? defaultValue : value;
    }

    /**
     * Reads an option that must be one of a few words.
     *
     * @param name of the option.
     * @param defaultValue when absent.
     * @param allowed the words accepted.
     * @return the value, lower case.
     */
    public String choice(final String name, final String defaultValue, final Set<String> allowed) {
        final String value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        final String lower = value.toLowerCase(Locale.ROOT);
        if (!allowed.contains(lower)) {
            throw bad(name, value, "is not one of " + String.join("|", new TreeSet<>(allowed)));
        }
        return lower;
    }

    /**
     * Reads a boolean option; a bare {@code name} or {@code name=} counts as true.
     *
     * @param name of the option.
     * @param defaultValue when absent.
     * @return the value.
     */
    public boolean bool(final String name, final boolean defaultValue) {
        final String value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "", "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw bad(name, value, "is not a boolean (true|false)");
        };
    }

    /**
     * Reads a size in bytes with an optional binary suffix k, m or g (case-insensitive, optional trailing b).
     *
     * @param name of the option.
     * @param defaultValue when absent.
     * @return the size in bytes, at least 0.
     */
    public long size(final String name, final long defaultValue) {
        final String value = options.get(name);
        return value == null ? defaultValue : parseSize(value, name);
    }

    /**
     * Reads a duration: a number with a unit ns, us, ms, s, m or h, or {@code 0}.
     *
     * @param name of the option.
     * @param defaultValue when absent.
     * @return the duration, never negative.
     */
    public Duration duration(final String name, final Duration defaultValue) {
        final String value = options.get(name);
        return value == null ? defaultValue : parseDuration(value, name);
    }

    /**
     * Reads a whole number.
     *
     * @param name of the option.
     * @param defaultValue when absent.
     * @return the value.
     */
    public long number(final String name, final long defaultValue) {
        final String value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value);
        } catch (final NumberFormatException e) {
            throw bad(name, value, "is not a whole number");
        }
    }

    /**
     * Reads file permission bits written in octal, as chmod takes them ({@code 0600}, {@code 660}). A channel
     * file is read and written, never executed, so only read and write bits are accepted (within {@code 0666}),
     * and the owner must keep both ({@code 0600}): no execute, setuid, setgid or sticky bit.
     *
     * @param name of the option.
     * @param defaultValue when absent, e.g. {@code 0600}.
     * @return the permission bits.
     */
    public int mode(final String name, final int defaultValue) {
        final String value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        final String text = value.trim();
        if (text.length() < 3 || text.length() > 4 || !text.chars().allMatch(c -> c >= '0' && c <= '7')) {
            throw bad(name, value, "is not an octal permission mode of 3 or 4 digits (e.g. 0600 or 660)");
        }
        final int mode = Integer.parseInt(text, 8);
        if ((mode & ~0666) != 0) {
            throw bad(name, value, "sets execute, setuid, setgid or sticky bits (" + String.format("%04o", mode & ~0666)
                + "); a channel file takes only read and write bits, e.g. 0600 or 0660");
        }
        if ((mode & 0600) != 0600) {
            throw bad(name, value, "takes read or write away from the owner; the owner needs both (0600), "
                + "e.g. 0600 or 0660");
        }
        return mode;
    }

    /**
     * Builds the standard error for a bad option value.
     *
     * @param name of the option.
     * @param value as given.
     * @param problem what is wrong, e.g. "is not a power of two".
     * @return an exception naming option, value and URI.
     */
    public IllegalArgumentException bad(final String name, final String value, final String problem) {
        return new IllegalArgumentException(name + "=" + value + " in '" + uri + "' " + problem);
    }

    private long parseSize(final String value, final String name) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        if (text.endsWith("b")) {
            text = text.substring(0, text.length() - 1);
        }
        long multiplier = 1;
        if (!text.isEmpty()) {
            switch (text.charAt(text.length() - 1)) {
                case 'k' -> multiplier = 1L << 10;
                case 'm' -> multiplier = 1L << 20;
                case 'g' -> multiplier = 1L << 30;
                default -> multiplier = 1;
            }
            if (multiplier != 1) {
                text = text.substring(0, text.length() - 1);
            }
        }
        try {
            final long n = Long.parseLong(text);
            if (n < 0) {
                throw bad(name, value, "is negative");
            }
            return Math.multiplyExact(n, multiplier);
        } catch (final NumberFormatException | ArithmeticException e) {
            throw bad(name, value, "is not a size (bytes, or with a suffix k, m or g, e.g. 64k, 1m)");
        }
    }

    private Duration parseDuration(final String value, final String name) {
        final String text = value.trim().toLowerCase(Locale.ROOT);
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        int split = 0;
        while (split < text.length() && Character.isDigit(text.charAt(split))) {
            split++;
        }
        if (split == 0 || split == text.length()) {
            throw bad(name, value, "is not a duration (a number and a unit ns, us, ms, s, m or h, e.g. 5s)");
        }
        final long n;
        try {
            n = Long.parseLong(text.substring(0, split));
        } catch (final NumberFormatException e) {
            throw bad(name, value, "is too large a duration");
        }
        return switch (text.substring(split)) {
            case "ns" -> Duration.ofNanos(n);
            case "us" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw bad(name, value, "has an unknown unit (use ns, us, ms, s, m or h)");
        };
    }

    /**
     * The same URI with one more option, unless it gives that option already.
     *
     * @param name an option name, e.g. {@code readahead}.
     * @param value its value when the URI does not give one, e.g. {@code false}.
     * @return this URI when it has the option, else the URI with {@code name=value} appended.
     */
    public ChannelUri withDefault(final String name, final String value) {
        if (options.containsKey(name)) {
            return this;
        }
        final Map<String, String> more = new LinkedHashMap<>(options);
        more.put(name, value);
        final String separator = uri.indexOf('?', scheme.length() + 1) < 0 ? "?" : uri.endsWith("?")
            || uri.endsWith("&") ? "" : "&";
        return new ChannelUri(uri + separator + name + "=" + value, scheme, path, Collections.unmodifiableMap(more));
    }

    @Override
    public String toString() {
        return uri;
    }
}
