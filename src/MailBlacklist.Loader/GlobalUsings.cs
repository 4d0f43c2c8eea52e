// The System namespaces most files of the loader use; each file names only the others.
global using System;
global using System.IO;
global using System.Reflection;
