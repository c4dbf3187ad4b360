package dev.ipckit.examples;

/**
 * The child of {@link PipeParent}: a {@link Consumer} on the inherited pipe end, {@code pipe:fd=3}. It verifies
 * every message and exits when the parent closes the pipe (or dies).
 *
 * <pre>
 * PipeChild pipe:fd=3      (started by PipeParent; not run by hand)
 * </pre>
 */
public final class PipeChild {
    private PipeChild() {
    }

    /**
     * @param args the inherited end's URI, {@code pipe:fd=3}.
     */
    public static void main(final String[] args) {
        Consumer.main(new String[] {args.length > 0 ? args[0] : "pipe:fd=3"});
    }
}
