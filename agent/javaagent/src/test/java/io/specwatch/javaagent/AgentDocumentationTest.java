package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.specwatch.PythonEnv;

/** The README's table of agent settings is AgentConfig's list, and the DJL versions it names are the build's. */
class AgentDocumentationTest {

    @Test
    void theReadmeListsEverySettingWithItsDefault() throws Exception {
        String readme = Files.readString(PythonEnv.repositoryRoot().resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Attach it to a DJL training job: one flag"),
                readme.indexOf("## Attach it in code: the library"));
        Matcher row = Pattern.compile("^\\| `([a-z-]+)` \\| ([^|]+) \\| ([^|]+) \\| ([^|]+) \\|$", Pattern.MULTILINE).matcher(section);
        List<String> documented = new ArrayList<>();
        while (row.find()) {
            documented.add(row.group(1) + " | " + row.group(2).strip() + " | " + row.group(3).strip().replace("`", "") + " | " + row.group(4).strip());
        }
        List<String> known = AgentConfig.SETTINGS.stream()
                .map(s -> s.key() + " | " + s.values() + " | " + s.defaultValue() + " | " + s.meaning()).toList();
        assertEquals(known, documented);
    }

    @Test
    void theTestedDjlVersionsAreTheBuildsAndTheReadmes() throws Exception {
        assertEquals(List.of(System.getProperty("djl.previous.version"), System.getProperty("djl.version")), DjlOnClassPath.TESTED);
        String readme = Files.readString(PythonEnv.repositoryRoot().resolve("README.md"));
        for (String v : DjlOnClassPath.TESTED) {
            assertEquals(true, readme.contains("DJL **" + v + "**") || readme.contains("and **" + v + "**"), v);
        }
    }
}
