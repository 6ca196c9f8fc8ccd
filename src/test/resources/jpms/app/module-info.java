// A user's modular application: vae4j is the automatic module org.vae4j, and ejml-core the
// automatic module ejml.core (EJML declares no module names; this one comes from the file name).
// ejml-fdense and ejml-ddense share packages, so they stay on the class path. ModularApplicationTest
// compiles and runs this module.
module org.vae4j.jpmsapp {
    requires org.vae4j;
    requires ejml.core;
}
