package dev.ipckit.posix;

/**
 * What {@code statx(2)} says of a file: its type and permission bits, owner, size and identity.
 *
 * @param mode the type and permission bits (st_mode).
 * @param uid the owner's user id.
 * @param gid the owner's group id.
 * @param size the size in bytes.
 * @param inode the inode number.
 * @param deviceMajor major number of the device holding the file.
 * @param deviceMinor minor number of the device holding the file.
 * @param links the number of hard links.
 */
public record FileStat(int mode, int uid, int gid, long size, long inode, int deviceMajor, int deviceMinor, int links) {
    /** Mask of the file type bits. */
    public static final int S_IFMT = 0170000;
    /** A FIFO. */
    public static final int S_IFIFO = 0010000;
    /** A character device. */
    public static final int S_IFCHR = 0020000;
    /** A directory. */
    public static final int S_IFDIR = 0040000;
    /** A block device. */
    public static final int S_IFBLK = 0060000;
    /** A regular file. */
    public static final int S_IFREG = 0100000;
    /** A symbolic link. */
    public static final int S_IFLNK = 0120000;
    /** A socket. */
    public static final int S_IFSOCK = 0140000;

    /**
     * @return the type bits, one of the {@code S_IF*} constants.
     */
    public int type() {
        return mode & S_IFMT;
    }

    /**
     * @return the permission bits, e.g. 0600.
     */
    public int permissions() {
        return mode & 07777;
    }

    /**
     * @return true for a FIFO.
     */
    public boolean isFifo() {
        return type() == S_IFIFO;
    }

    /**
     * @return true for a regular file.
     */
    public boolean isRegularFile() {
        return type() == S_IFREG;
    }

    /**
     * @return true for a directory.
     */
    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    /**
     * @return true for a symbolic link (only {@code lstat} can see one).
     */
    public boolean isSymbolicLink() {
        return type() == S_IFLNK;
    }

    /**
     * @return the file type as an English noun phrase, e.g. "a regular file", for error messages.
     */
    public String typeName() {
        return switch (type()) {
            case S_IFIFO -> "a FIFO";
            case S_IFCHR -> "a character device";
            case S_IFDIR -> "a directory";
            case S_IFBLK -> "a block device";
            case S_IFREG -> "a regular file";
            case S_IFLNK -> "a symbolic link";
            case S_IFSOCK -> "a socket";
            default -> "a file of unknown type " + Integer.toOctalString(type());
        };
    }
}
