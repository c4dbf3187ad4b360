package dev.ipckit.spi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command line of a child JVM that runs like this one: the same {@code java} executable, the same
 * class path, the flags ipckit needs ({@link #JVM_FLAGS}) and any options in {@link #CHILD_OPTIONS_PROPERTY}.
 * Used to start peers in other processes.
 */
public final class JavaCommand {
    /** The flags every JVM that runs ipckit needs: FFM downcalls, and Agrona's access to jdk.internal.misc. */
    public static final List<String> JVM_FLAGS = List.of(
        "--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

    /**
     * System property with extra JVM options for child JVMs, separated by spaces. The test suite sets it to
     * start children quickly (C1 only, serial GC); benchmarks and the demo leave it unset so that children run
     * with the full JIT.
     */
    public static final String CHILD_OPTIONS_PROPERTY = "ipckit.child.jvmOptions";

    private JavaCommand() {
    }

    /**
     * @return the path of the running JVM's {@code java} executable.
     */
    public static String javaExecutable() {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("cannot find the java executable at " + java);
        }
        return java.toString();
    }

    /**
     * The command line that runs {@code mainClass} in a new JVM with this JVM's class path.
     *
     * @param mainClass a class with a {@code main} method.
     * @param args its arguments.
     * @return java, flags, class path, main class and arguments.
     */
    public static List<String> of(final Class<?> mainClass, final List<String> args) {
        return of(mainClass, List.of(), args);
    }

    /**
     * The command line that runs {@code mainClass} in a new JVM with this JVM's class path and extra JVM options.
     *
     * @param mainClass a class with a {@code main} method.
     * @param jvmOptions options placed after the flags, e.g. {@code -Xmx256m}.
     * @param args its arguments.
     * @return java, flags, options, class path, main class and arguments.
     */
    public static List<String> of(final Class<?> mainClass, final List<String> jvmOptions, final List<String> args) {
        final List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(JVM_FLAGS);
        for (final String option : System.getProperty(CHILD_OPTIONS_PROPERTY, "").trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        return command;
    }
}
