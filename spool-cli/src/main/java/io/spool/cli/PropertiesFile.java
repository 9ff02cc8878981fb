package io.spool.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Reads a Java properties file (server.properties, client.properties) into a map. Stateless. */
final class PropertiesFile {
    private PropertiesFile() {
    }

    /** @throws CliException (usage) when the file is missing or unreadable */
    static Map<String, String> read(Path file) {
        Properties p = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(reader);
        } catch (NoSuchFileException e) {
            throw CliException.usage("File not found: " + file);
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.usage("Cannot read " + file + ": " + ErrorMessages.text(e));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            properties.put(name, p.getProperty(name));
        }
        return properties;
    }
}
