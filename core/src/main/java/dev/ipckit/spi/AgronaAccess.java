package dev.ipckit.spi;

import dev.ipckit.ChannelException;

/**
 * Whether Agrona's buffers work in this JVM, and the one sentence for when they do not.
 *
 * <p>Agrona's {@code UnsafeBuffer} (and with it every {@code DirectBuffer} form, {@code MessageHandler} view and
 * Agrona ring) reaches {@code jdk.internal.misc.Unsafe} through {@code org.agrona.UnsafeApi}, which works only when
 * the JVM was started with {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (Agrona on the class path)
 * or {@code ...=org.agrona} (Agrona on the module path). Without the flag the first touch of an Agrona buffer throws
 * an {@link IllegalAccessError} from deep inside Agrona, and every later one a {@link NoClassDefFoundError}.
 *
 * <p>A transport calls {@link #check(String, String)} where an Agrona form first touches a buffer (the start of
 * {@code offer(DirectBuffer, ...)} and {@code poll(MessageHandler, ...)}), so that the user gets a
 * {@link ChannelException} naming the flag and the Agrona-free alternative instead. The probe runs once per JVM;
 * afterwards the check reads a constant, so it costs nothing on the hot path. The {@code MemorySegment} and
 * {@code byte[]} forms of a transport that serves them natively never call it.
 */
public final class AgronaAccess {
    private static final String UNSAFE_API = "org.agrona.UnsafeApi";

    private AgronaAccess() {
    }

    /**
     * @return {@code true} when Agrona's buffers work in this JVM (its flag was given).
     */
    public static boolean available() {
        return Probe.FAILURE == null;
    }

    /**
     * Throws unless Agrona's buffers work in this JVM.
     *
     * @param call the API call that needs them, e.g. {@code offer(DirectBuffer, int, int)}.
     * @param uri the channel's URI.
     * @throws ChannelException naming the JVM flag to add and the Agrona-free forms, when Agrona's flag is missing.
     */
    public static void check(final String call, final String uri) {
        if (Probe.FAILURE != null) {
            throw missing(call, uri);
        }
    }

    /**
     * @return the JVM flag that lets Agrona reach {@code jdk.internal.misc.Unsafe}, for where Agrona was loaded from:
     *     {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} on the class path,
     *     {@code --add-exports java.base/jdk.internal.misc=org.agrona} on the module path.
     */
    public static String flag() {
        return "--add-exports java.base/jdk.internal.misc=" + Probe.AGRONA_MODULE;
    }

    private static ChannelException missing(final String call, final String uri) {
        return new ChannelException(call + " on " + uri + " uses Agrona's buffers, which need access to "
            + "jdk.internal.misc.Unsafe that this JVM does not grant; start the JVM with "
            + flag() + ", or use the forms that need no flag: offer(MemorySegment), offer(byte[]) and "
            + "poll(SegmentHandler, int)", Probe.FAILURE);
    }

    /** Probes once, the first time a check runs. */
    private static final class Probe {
        static final String AGRONA_MODULE;
        static final LinkageError FAILURE;

        static {
            final ClassLoader loader = AgronaAccess.class.getClassLoader();
            String module = "ALL-UNNAMED";
            LinkageError failure = null;
            try {
                final Class<?> unsafeApi = Class.forName(UNSAFE_API, false, loader);
                if (unsafeApi.getModule().isNamed()) {
                    module = unsafeApi.getModule().getName();
                }
                Class.forName(UNSAFE_API, true, loader);
            } catch (final ClassNotFoundException e) {
                // An Agrona without UnsafeApi reaches Unsafe another way, with no flag to give.
                failure = null;
            } catch (final LinkageError e) {
                failure = e;
            }
            AGRONA_MODULE = module;
            FAILURE = failure;
        }
    }
}
