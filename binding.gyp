{
  "targets": [
    {
      "target_name": "dsmip6",
      "sources": ["native/dsmip6.c"],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
