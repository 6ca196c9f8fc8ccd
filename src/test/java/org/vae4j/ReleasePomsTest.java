package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The published poms (core, Spark module, BOM): what Maven Central requires, one licence that is
 * the one in LICENSE, and a BOM that lists every artifact at the core's version.
 */
class ReleasePomsTest {

    private static Document read(String pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(Path.of(pom).toFile());
    }

    /** The text of the first child element of the project element with that name, or null. */
    private static String top(Document d, String name) {
        for (Node n = d.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        return null;
    }

    private static List<Element> all(Element in, String name) {
        NodeList l = in.getElementsByTagName(name);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < l.getLength(); i++) {
            out.add((Element) l.item(i));
        }
        return out;
    }

    private static String child(Element e, String name) {
        return all(e, name).get(0).getTextContent().trim();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pom.xml", "spark/pom.xml", "bom/pom.xml"})
    void everyPublishedPomHasCentralsMetadata(String pom) throws Exception {
        Document d = read(pom);
        for (String field : List.of("groupId", "artifactId", "version", "name", "description", "url",
                "licenses", "developers", "scm")) {
            String v = top(d, field);
            assertTrue(v != null && !v.isBlank(), pom + ": no <" + field + ">");
        }
        List<Element> licences = all(d.getDocumentElement(), "license");
        assertEquals(1, licences.size(), pom);
        String licenceFile = Files.readString(Path.of("LICENSE"));
        assertTrue(licenceFile.contains("Apache License") && licenceFile.contains("Version 2.0"), "LICENSE");
        assertEquals("Apache License, Version 2.0", child(licences.get(0), "name"), pom);
        assertEquals("https://www.apache.org/licenses/LICENSE-2.0.txt", child(licences.get(0), "url"), pom);
        Element scm = all(d.getDocumentElement(), "scm").get(0);
        assertTrue(child(scm, "connection").startsWith("scm:git:"), pom);
        assertEquals(top(d, "url"), child(scm, "url"), pom);
        assertFalse(all(d.getDocumentElement(), "developer").isEmpty(), pom);
        // The release profile signs and uploads.
        String text = Files.readString(Path.of(pom));
        assertTrue(text.contains("<id>release</id>") && text.contains("maven-gpg-plugin")
                && text.contains("central-publishing-maven-plugin"), pom + ": release profile");
    }

    @Test
    void theBomListsEveryArtifactAtTheCoresVersion() throws Exception {
        Document core = read("pom.xml");
        Document spark = read("spark/pom.xml");
        Document bom = read("bom/pom.xml");
        String version = top(core, "version");
        assertEquals(version, top(spark, "version"), "spark/pom.xml");
        assertEquals(version, top(bom, "version"), "bom/pom.xml");
        assertEquals("pom", top(bom, "packaging"));
        List<String> managed = new ArrayList<>();
        for (Element dep : all(bom.getDocumentElement(), "dependency")) {
            assertEquals("org.vae4j", child(dep, "groupId"));
            assertEquals("${project.version}", child(dep, "version"));
            managed.add(child(dep, "artifactId"));
        }
        assertEquals(List.of(top(core, "artifactId"), top(spark, "artifactId")), managed);
        // The Spark module depends on this core.
        boolean found = false;
        for (Element dep : all(spark.getDocumentElement(), "dependency")) {
            if (child(dep, "artifactId").equals(top(core, "artifactId"))) {
                assertEquals(version, child(dep, "version"), "spark/pom.xml's vae4j dependency");
                found = true;
            }
        }
        assertTrue(found, "spark/pom.xml depends on the core");
    }
}
