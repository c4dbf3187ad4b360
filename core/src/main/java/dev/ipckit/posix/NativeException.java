package dev.ipckit.posix;

import dev.ipckit.ChannelException;

/**
 * A system call failed. Carries the call, its key argument (a path or a file descriptor), errno and errno's
 * name, and a sentence that says what it means here and what to do. The message reads, for example:
 *
 * <pre>
 * open("/tmp/q.fifo", O_WRONLY|O_NONBLOCK) failed: ENXIO (no process has the FIFO open for reading; start the receiver first or pass timeout=)
 * </pre>
 */
public class NativeException extends ChannelException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String argument;
    private final int errno;
    private final String sentence;

    /**
     * @param call the C function, e.g. {@code open}.
     * @param argument its key argument as it reads in C, e.g. {@code "/tmp/q.fifo", O_WRONLY} or {@code fd=7}.
     * @param errno the positive errno value.
     * @param sentence what the failure means here and what to do; null for the C library's description.
     */
    public NativeException(final String call, final String argument, final int errno, final String sentence) {
        super(call + "(" + argument + ") failed: " + Errno.name(errno) + " ("
            + (sentence == null ? Errno.description(errno) : sentence) + ")");
        this.call = call;
        this.argument = argument;
        this.errno = errno;
        this.sentence = sentence == null ? Errno.description(errno) : sentence;
    }

    /**
     * @param call the C function.
     * @param argument its key argument.
     * @param errno the positive errno value.
     */
    public NativeException(final String call, final String argument, final int errno) {
        this(call, argument, errno, null);
    }

    /**
     * @return the C function that failed, e.g. {@code open}.
     */
    public String call() {
        return call;
    }

    /**
     * @return the key argument, e.g. the quoted path or {@code fd=7}.
     */
    public String argument() {
        return argument;
    }

    /**
     * @return the positive errno value.
     */
    public int errno() {
        return errno;
    }

    /**
     * @return errno's name, e.g. {@code ENXIO}.
     */
    public String errnoName() {
        return Errno.name(errno);
    }

    /**
     * @return the sentence explaining the failure.
     */
    public String sentence() {
        return sentence;
    }

    /**
     * Quotes a path the way C source would show it.
     *
     * @param path a file system path.
     * @return the path in double quotes.
     */
    public static String quote(final String path) {
        return '"' + path + '"';
    }
}
