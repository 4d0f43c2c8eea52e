// The namespaces nearly every file of the PowerShell layer uses; each file names only the others.
global using System;
global using System.Collections.Generic;
global using System.Linq;
global using System.Management.Automation;
global using System.Threading;
global using System.Threading.Tasks;
// The engine's text helpers (messages, neutralizing shown text): every cmdlet shows text through them.
global using MailBlacklist.Engine.Text;
