// A test verticle that does not compile.
this is not groovy {
