package io.spool.bench.compare;

/**
 * The log4j2 configurations of the Apache Kafka processes: the broker logs INFO to a file, as Kafka's shipped
 * configuration does; the tools log warnings to stderr, which lands in their output file. Stateless.
 */
final class Log4jConfig {
    private Log4jConfig() {
    }

    /** INFO and above to {@code fileName}, which may use log4j2 lookups such as {@code ${sys:kafka.logs.dir}}. */
    static String toFile(String fileName) {
        return String.join("\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = FILE",
                "appender.file.fileName = " + fileName,
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = FILE",
                "");
    }

    /** WARN and above to stderr. */
    static String toStderr() {
        return String.join("\n",
                "status = warn",
                "appender.err.type = Console",
                "appender.err.name = STDERR",
                "appender.err.target = SYSTEM_ERR",
                "appender.err.layout.type = PatternLayout",
                "appender.err.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.err.ref = STDERR",
                "");
    }
}
