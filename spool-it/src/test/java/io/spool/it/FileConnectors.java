package io.spool.it;

import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.file.FileStreamSinkConnector;
import org.apache.kafka.connect.file.FileStreamSinkTask;
import org.apache.kafka.connect.file.FileStreamSourceConnector;
import org.apache.kafka.connect.file.FileStreamSourceTask;

/**
 * The file connectors of {@code connect-file}, unchanged but for {@code version()}: connect-file is published up to
 * 4.3.1, whose {@code version()} calls a kafka-clients class that 4.4 moved, so a 4.4 worker could not load them as
 * they are. Registered for ServiceLoader discovery in {@code META-INF/services}.
 */
public final class FileConnectors {
    private static final String VERSION = "connect-file-4.3.1";

    private FileConnectors() {
    }

    /** Copies the lines of a file to a topic, remembering its position in the file as the source offset. */
    public static final class Source extends FileStreamSourceConnector {
        @Override
        public String version() {
            return VERSION;
        }

        @Override
        public Class<? extends Task> taskClass() {
            return SourceTask.class;
        }
    }

    public static final class SourceTask extends FileStreamSourceTask {
        @Override
        public String version() {
            return VERSION;
        }
    }

    /** Appends the records of its topics to a file, one line each. */
    public static final class Sink extends FileStreamSinkConnector {
        @Override
        public String version() {
            return VERSION;
        }

        @Override
        public Class<? extends Task> taskClass() {
            return SinkTask.class;
        }
    }

    public static final class SinkTask extends FileStreamSinkTask {
        @Override
        public String version() {
            return VERSION;
        }
    }
}
