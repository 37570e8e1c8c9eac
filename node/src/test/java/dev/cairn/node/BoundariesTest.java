package dev.cairn.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The layering of DESIGN.md as rules that fail when crossed: protocol knows no actor, HTTP or SQL;
 * persistence knows no HTTP and no node; the settings know nothing of Cairn's other modules; the
 * HTTP front door reaches persistence only through its facades, and never SQL.
 */
class BoundariesTest {

  private static final JavaClasses CAIRN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.cairn");

  /** What the front door may use of persistence: its facades and what they answer with. */
  private static final Set<String> FACADES =
      Set.of(
          "dev.cairn.persistence.Documents",
          "dev.cairn.persistence.AdminOperations",
          "dev.cairn.persistence.AccessControl",
          "dev.cairn.persistence.CollectionDefinitions",
          "dev.cairn.persistence.CollectionRegistry",
          "dev.cairn.persistence.CollectionDefinitionReader",
          "dev.cairn.persistence.JsonLimits",
          "dev.cairn.persistence.ChangeFeed",
          "dev.cairn.persistence.readmodel.ReadModel",
          "dev.cairn.persistence.readmodel.DocumentQuery",
          "dev.cairn.persistence.readmodel.SliceStatus",
          "dev.cairn.persistence.readmodel.ProjectionAdmin",
          "dev.cairn.persistence.readmodel.Rebuilds",
          "dev.cairn.persistence.admin.JournalReader",
          "dev.cairn.persistence.admin.JournalImport",
          "dev.cairn.persistence.admin.DocumentRebuild",
          "dev.cairn.persistence.admin.ReplayCheck",
          "dev.cairn.persistence.admin.AuditTrail");

  @Test
  void protocolKnowsNoActorHttpOrSql() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn.protocol..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.pekko..",
            "java.sql..",
            "javax.sql..",
            "dev.cairn.persistence..",
            "dev.cairn.node..")
        .check(CAIRN);
  }

  @Test
  void persistenceKnowsNoHttpAndNoNode() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn.persistence..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.pekko.http..", "dev.cairn.node..")
        .check(CAIRN);
  }

  @Test
  void theSettingsKnowNothingOfTheOtherModules() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn.config..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.cairn.protocol..", "dev.cairn.persistence..", "dev.cairn.node..")
        .check(CAIRN);
  }

  @Test
  void theFrontDoorUsesNoSqlAndOnlyTheFacadesOfPersistence() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn.node.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..")
        .orShould()
        .dependOnClassesThat(persistenceInternals())
        .check(CAIRN);
  }

  private static DescribedPredicate<JavaClass> persistenceInternals() {
    return DescribedPredicate.describe(
        "persistence classes other than its facades " + FACADES,
        type ->
            type.getPackageName().startsWith("dev.cairn.persistence")
                && !FACADES.contains(outermost(type).getName()));
  }

  private static JavaClass outermost(JavaClass type) {
    JavaClass outer = type;
    while (outer.getEnclosingClass().isPresent()) {
      outer = outer.getEnclosingClass().get();
    }
    return outer;
  }
}
