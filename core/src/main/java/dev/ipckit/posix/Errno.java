package dev.ipckit.posix;

/**
 * Linux errno numbers (asm-generic, shared by x86_64 and aarch64) with their names and the C library's
 * description. Only the numbers ipckit's calls can produce need a name; any other prints as {@code errno=N}.
 */
public final class Errno {
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** No such process. */
    public static final int ESRCH = 3;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** I/O error. */
    public static final int EIO = 5;
    /** No such device or address (a FIFO opened for writing with no reader, O_NONBLOCK). */
    public static final int ENXIO = 6;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** No child processes. */
    public static final int ECHILD = 10;
    /** Resource temporarily unavailable (would block). */
    public static final int EAGAIN = 11;
    /** Cannot allocate memory. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Bad address. */
    public static final int EFAULT = 14;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** File exists. */
    public static final int EEXIST = 17;
    /** Not a directory. */
    public static final int ENOTDIR = 20;
    /** Is a directory. */
    public static final int EISDIR = 21;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Too many open files in system. */
    public static final int ENFILE = 23;
    /** Too many open files. */
    public static final int EMFILE = 24;
    /** No space left on device. */
    public static final int ENOSPC = 28;
    /** Broken pipe. */
    public static final int EPIPE = 32;
    /** Function not implemented. */
    public static final int ENOSYS = 38;
    /** Too many levels of symbolic links (O_NOFOLLOW met a link). */
    public static final int ELOOP = 40;
    /** Operation not supported (e.g. fallocate on a file system without it). */
    public static final int EOPNOTSUPP = 95;
    /** Timer expired / timed out. */
    public static final int ETIMEDOUT = 110;

    private static final String[][] TABLE = new String[134][];

    static {
        put(1, "EPERM", "Operation not permitted");
        put(2, "ENOENT", "No such file or directory");
        put(3, "ESRCH", "No such process");
        put(4, "EINTR", "Interrupted system call");
        put(5, "EIO", "Input/output error");
        put(6, "ENXIO", "No such device or address");
        put(7, "E2BIG", "Argument list too long");
        put(8, "ENOEXEC", "Exec format error");
        put(9, "EBADF", "Bad file descriptor");
        put(10, "ECHILD", "No child processes");
        put(11, "EAGAIN", "Resource temporarily unavailable");
        put(12, "ENOMEM", "Cannot allocate memory");
        put(13, "EACCES", "Permission denied");
        put(14, "EFAULT", "Bad address");
        put(15, "ENOTBLK", "Block device required");
        put(16, "EBUSY", "Device or resource busy");
        put(17, "EEXIST", "File exists");
        put(18, "EXDEV", "Invalid cross-device link");
        put(19, "ENODEV", "No such device");
        put(20, "ENOTDIR", "Not a directory");
        put(21, "EISDIR", "Is a directory");
        put(22, "EINVAL", "Invalid argument");
        put(23, "ENFILE", "Too many open files in system");
        put(24, "EMFILE", "Too many open files");
        put(25, "ENOTTY", "Inappropriate ioctl for device");
        put(26, "ETXTBSY", "Text file busy");
        put(27, "EFBIG", "File too large");
        put(28, "ENOSPC", "No space left on device");
        put(29, "ESPIPE", "Illegal seek");
        put(30, "EROFS", "Read-only file system");
        put(31, "EMLINK", "Too many links");
        put(32, "EPIPE", "Broken pipe");
        put(33, "EDOM", "Numerical argument out of domain");
        put(34, "ERANGE", "Numerical result out of range");
        put(35, "EDEADLK", "Resource deadlock avoided");
        put(36, "ENAMETOOLONG", "File name too long");
        put(37, "ENOLCK", "No locks available");
        put(38, "ENOSYS", "Function not implemented");
        put(39, "ENOTEMPTY", "Directory not empty");
        put(40, "ELOOP", "Too many levels of symbolic links");
        put(42, "ENOMSG", "No message of desired type");
        put(43, "EIDRM", "Identifier removed");
        put(61, "ENODATA", "No data available");
        put(62, "ETIME", "Timer expired");
        put(75, "EOVERFLOW", "Value too large for defined data type");
        put(84, "EILSEQ", "Invalid or incomplete multibyte or wide character");
        put(88, "ENOTSOCK", "Socket operation on non-socket");
        put(95, "EOPNOTSUPP", "Operation not supported");
        put(98, "EADDRINUSE", "Address already in use");
        put(99, "EADDRNOTAVAIL", "Cannot assign requested address");
        put(104, "ECONNRESET", "Connection reset by peer");
        put(110, "ETIMEDOUT", "Connection timed out");
        put(111, "ECONNREFUSED", "Connection refused");
        put(116, "ESTALE", "Stale file handle");
        put(122, "EDQUOT", "Disk quota exceeded");
        put(125, "ECANCELED", "Operation canceled");
        put(130, "EOWNERDEAD", "Owner died");
        put(131, "ENOTRECOVERABLE", "State not recoverable");
    }

    private Errno() {
    }

    private static void put(final int errno, final String name, final String description) {
        TABLE[errno] = new String[] {name, description};
    }

    /**
     * @param errno a positive errno value.
     * @return its symbolic name, e.g. {@code ENOENT}, or {@code errno=N} when unknown.
     */
    public static String name(final int errno) {
        return errno > 0 && errno < TABLE.length && TABLE[errno] != null ? TABLE[errno][0] : "errno=" + errno;
    }

    /**
     * @param errno a positive errno value.
     * @return the C library's description, e.g. "No such file or directory", or "unknown error".
     */
    public static String description(final int errno) {
        return errno > 0 && errno < TABLE.length && TABLE[errno] != null ? TABLE[errno][1] : "unknown error";
    }
}
