// The System namespaces most files of the engine use; each file names only the others.
global using System;
global using System.Collections.Generic;
global using System.Globalization;
global using System.Linq;
global using System.Threading;
global using System.Threading.Tasks;
// The engine's text helpers (messages from the resx files, neutralizing shown text): every part of
// the engine shows text through them.
global using MailBlacklist.Engine.Text;
