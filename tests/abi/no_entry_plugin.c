/* ABI test: a shared library that is not an evalflow plugin (no evalflow_plugin_entry). */
int not_an_evalflow_plugin(void) {
  return 42;
}
