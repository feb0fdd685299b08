# Help source for the VoxScheduler cmdlets. tools/New-MamlHelp.ps1 turns it into MAML
# (en-US/VoxScheduler.dll-Help.xml) at build time; parameter descriptions come from the
# cmdlets' XML doc comments unless a 'Parameters' entry here overrides them.
@{
    'Submit-VoxDag' = @{
        Synopsis    = 'Runs a VoxLogicA program or a DAG on the process''s scheduler.'
        Description = @'
Submit-VoxDag reduces a VoxLogicA program (a file with -Path or -LiteralPath, or text with -Program) or reads a DAG (-Dag: the output of ConvertTo-VoxDag, a hashtable, a custom object or JSON text; -Node: New-VoxNode objects) and submits it to the scheduler of this PowerShell process. Every result is stored under its content id in the store (-Store: a VoxStore drive such as lab:, a folder, or the default store), so a second run computes only what is new.

Without -Wait or -AsJob it returns the execution object at once; use Get-VoxProgress, Get-VoxResult, Wait-VoxExecution and Stop-VoxExecution with it. With -Wait it writes one VoxResult per goal as the goal completes and shows progress meanwhile; Ctrl+C stops waiting and leaves the execution running. With -AsJob it returns a job that Get-Job, Wait-Job, Receive-Job, Stop-Job and Remove-Job understand.

With -Cluster (or -Connection <name>) the DAG runs on the cluster of a Connect-VoxCluster connection: it is compiled here (the node ids are those of a local run), the cluster's coordinator runs it on its silos, and the results go to the connection's store namespace (or -Store, a postgres drive). -Wait, -AsJob, -Name, -Parameter, -MaxConcurrency (default there: every slot of the cluster), -MaxRetries, -NodeTimeout, -Codec, -NoCompression and -StreamingThreshold work as for local runs, and so do Get-VoxProgress, Wait-VoxExecution, Stop-VoxExecution, Get-VoxExecution and Get-VoxResult on the execution (goals arrive when it ends); parameters that only the local scheduler has (-MaxWorkers, -CacheSize, -MemoryBudget, retry delays, -AllowWritesOutsideLocation) are a VoxParameterConflict error, and a program with save goals or operations that read files (load) is VoxNotSupported (a silo would write or read its own files): print the value and use Save-VoxResult, and run programs that load files here.

Anything can be piped: FileInfo objects from Get-ChildItem, path strings, JSON text, DAG objects, hashtables and New-VoxNode objects (the nodes of one pipeline form one DAG). A program with errors writes one VoxProgramInvalid error per problem, each with file:line:col; an invalid DAG writes one VoxDagInvalid error per problem.
'@
        Examples    = @(
            @{ Code = 'Submit-VoxDag -Path ./examples/hello.imgql -Wait'; Remarks = 'Runs a program and writes its print goals as they complete.' }
            @{ Code = 'Get-ChildItem ./examples/*.imgql | Submit-VoxDag -Wait | Where-Object Succeeded'; Remarks = 'Runs every program of the folder and keeps the goals that produced a value (Completed, or Cached when a run before stored it).' }
            @{ Code = '$e = Submit-VoxDag -Program ''print "sum" 1 + 2'' -Name quick; Wait-VoxExecution $e.ExecutionId; Get-VoxResult quick'; Remarks = 'Submits program text under a name, waits, then reads the results by name.' }
            @{ Code = @'
New-PSDrive -Name lab -PSProvider VoxStore -Root ./voxlogica_storage -Create
@(
    New-VoxNode -Name x -Value 20
    New-VoxNode -Name y -Value 22
    New-VoxNode -Name answer -Operation default.add -Arguments x, y
) | Submit-VoxDag -Store lab: -Wait
'@; Remarks = 'Builds a DAG from node objects and runs it on the store of the lab: drive.' }
            @{ Code = '$job = Submit-VoxDag -Path ./examples/fibonacci.imgql -AsJob -MaxConcurrency 8; Receive-Job $job -Wait'; Remarks = 'Runs a program as a job with up to 8 nodes at once.' }
            @{ Code = 'Submit-VoxDag -Path ./examples/arithmetic.imgql -Cluster -Wait'; Remarks = 'Runs a program on the cluster of the session''s connection (Connect-VoxCluster) and writes its goals as a local run does.'; Requires = 'Cluster' }
            @{ Code = 'Submit-VoxDag -Program "threshold = 0.25`nprint ""scaled"" threshold * 10" -Parameter @{ threshold = 0.5 } -Wait'; Remarks = 'Binds a program parameter: the value 0.5 replaces the declaration of threshold (and is part of the node ids), instead of building program text by string interpolation.' }
        )
    }
    'Get-VoxProgress' = @{
        Synopsis    = 'Gets the progress of executions: one snapshot, or snapshots until they end.'
        Description = 'Get-VoxProgress writes a VoxProgress snapshot (total, pending, ready, running, completed, cached, failed, skipped nodes, percent, nodes per second, elapsed and estimated time left) of each execution given by id, name or object. With -Watch it writes a snapshot every -Interval (default 1 s) until the execution ends, the last one final; Ctrl+C stops watching only.'
        Examples    = @(
            @{ Code = '$e = Submit-VoxDag -Path ./examples/loops.imgql; Get-VoxProgress -Id $e.ExecutionId'; Remarks = 'Submits a program and takes one snapshot of its execution.' }
            @{ Code = '$e = Submit-VoxDag -Path ./examples/caching.imgql; $e | Get-VoxProgress -Watch -Interval 250ms | Select-Object Percent, CompletedNodes'; Remarks = 'Follows an execution until it ends.' }
        )
    }
    'Stop-VoxExecution' = @{
        Synopsis    = 'Cancels running executions.'
        Description = 'Stop-VoxExecution cancels executions of this process; running operations see their cancellation token. Completed results stay stored and no partial result is written, so submitting the same program or DAG again resumes where it stopped. Supports -WhatIf and -Confirm.'
        Examples    = @(
            @{ Code = '$null = Submit-VoxDag -Program "import ""test""`nprint ""slow"" test.sleep(1, 60000)" -Name nightly; Stop-VoxExecution -Id nightly'; Remarks = 'Starts a slow execution named nightly, then cancels it by name.' }
            @{ Code = 'Get-VoxExecution -Live -Status Running | Stop-VoxExecution -Wait -PassThru'; Remarks = 'Cancels every running execution and waits until each has stopped.' }
        )
    }
    'Get-VoxResult' = @{
        Synopsis    = 'Gets the results of executions.'
        Description = 'Get-VoxResult writes a VoxResult (Goal, NodeId, Value, DataType, Size, Status, Error, Duration, ExecutionId) for each finished goal of the executions given by id, name or object. -Goal filters goals by name (wildcards), -Node reads named nodes or node ids from the store, -All adds every named node. With -Wait it streams goals as they complete until the execution ends; Ctrl+C stops waiting, not the execution. Past executions are read from the store''s history.'
        Examples    = @(
            @{ Code = '$e = Submit-VoxDag -Path ./examples/arithmetic.imgql; Get-VoxResult -Id $e.ExecutionId -Wait'; Remarks = 'Streams the goals of an execution as they complete.' }
            @{ Code = '$null = Submit-VoxDag -Program "print ""score_a"" 1 + 1`nprint ""score_b"" 2 * 2`nprint ""total"" 6" -Name scores -Wait; Get-VoxResult scores -Goal ''score*'' | Select-Object Goal, Value'; Remarks = 'Reads the goals whose names start with score.' }
            @{ Code = '$r = Submit-VoxDag -Program "answer = 6 * 7`nprint ""shown"" answer + 1" -Wait; Get-VoxResult $r.ExecutionId -Node answer'; Remarks = 'Reads the stored value of the declaration named answer, which no goal prints.' }
        )
    }
    'Wait-VoxExecution' = @{
        Synopsis    = 'Waits until executions end and writes them.'
        Description = 'Wait-VoxExecution waits, like Wait-Job, until every execution given (or, with -Any, one of them) has ended, then writes the executions that ended. -Timeout bounds the wait in seconds; when it expires only the executions that ended are written. Ctrl+C ends the wait and leaves the executions running.'
        Examples    = @(
            @{ Code = 'Submit-VoxDag ./examples/loops.imgql | Wait-VoxExecution -Timeout 60'; Remarks = 'Waits at most a minute for an execution.' }
            @{ Code = 'Get-VoxExecution -Live | Wait-VoxExecution -Any'; Remarks = 'Returns as soon as any execution of the process ends.' }
        )
    }
    'Get-VoxExecution' = @{
        Synopsis    = 'Lists executions of this process and past ones from a store''s history.'
        Description = 'Get-VoxExecution writes the executions of this PowerShell process (running and finished), then the past executions recorded in the store (-Store, default: the default store). -Id filters by id or name with wildcards, -Status by state, -Live keeps only executions of this process. A past execution whose process ended before it finished (killed, crashed) is listed as Interrupted, as is, in the postgres store of a cluster, one whose coordinating silo was lost (recorded so by the surviving silos, with the silo in Error); submitting its DAG again resumes it.'
        Examples    = @(
            @{ Code = 'Get-VoxExecution'; Remarks = 'Lists current and past executions.' }
            @{ Code = '$null = New-PSDrive -Name lab -PSProvider VoxStore -Root ./voxlogica_storage -Create; Get-VoxExecution -Store lab: -Status Failed'; Remarks = 'Lists the failed executions recorded in the lab: store.' }
        )
    }
    'New-VoxNode' = @{
        Synopsis    = 'Makes a node of a user DAG.'
        Description = 'New-VoxNode makes a named node: a constant (-Value) or an operation (-Operation, -Arguments naming other nodes, -Parameters). Pipe the nodes of a DAG to Submit-VoxDag, ConvertTo-VoxDag or Measure-VoxDag. Node names are labels of the execution; results are stored by content id, so identical nodes of different DAGs share their results. By default the goals are the nodes nothing depends on; -Goal marks goals explicitly.'
        Examples    = @(
            @{ Code = @'
$nodes = @(
    New-VoxNode a -Value 1
    New-VoxNode b -Value 2
    New-VoxNode sum default.add a, b
)
$nodes | Submit-VoxDag -Wait
'@; Remarks = 'Adds two constants.' }
        )
    }
    'Get-VoxOperation' = @{
        Synopsis    = 'Lists the operations nodes and programs may use.'
        Description = 'Get-VoxOperation lists the built-in primitives (default, strings and test namespaces) and the script blocks registered with Register-VoxOperation, with arity, purity, revision and description.'
        Examples    = @(
            @{ Code = 'Get-VoxOperation -Namespace strings'; Remarks = 'Lists the string primitives.' }
            @{ Code = 'Get-VoxOperation add'; Remarks = 'Shows default.add.' }
        )
    }
    'Register-VoxOperation' = @{
        Synopsis    = 'Registers a script block as an operation.'
        Description = 'Register-VoxOperation adds an operation named namespace.name that runs a script block in a process-wide runspace pool. The node''s arguments are passed positionally; the script''s output is the node''s value (several objects make a sequence). The script runs isolated, under Set-StrictMode -Version Latest: it sees its arguments and the caller''s variables it names with $using: (their values are captured at registration and are part of the result ids, so capturing another value computes anew), never the caller''s other variables; reading a variable that was never set fails the node with the variable''s name. Declare -Purity NonDeterministic for scripts that read the clock, randomness or the outside world so their results are never reused. The revision defaults to a hash of the script text, so editing the script invalidates the results of the old one.'
        Examples    = @(
            @{ Code = 'Register-VoxOperation -Name my.square -ScriptBlock { param($x) $x * $x }; Submit-VoxDag -Program ''print "r" my.square(7)'' -Wait'; Remarks = 'Registers an operation and calls it from a program.' }
            @{ Code = 'Register-VoxOperation -Name my.now -ScriptBlock { (Get-Date).Ticks } -Purity NonDeterministic -Force'; Remarks = 'A non-deterministic operation, recomputed in every execution.' }
            @{ Code = '$factor = 10; Register-VoxOperation -Name my.scale -ScriptBlock { param($x) $x * $using:factor } -Force; Submit-VoxDag -Program ''print "r" my.scale(4)'' -Wait'; Remarks = 'Captures the caller''s $factor (10) at registration: the goal is 40.' }
        )
    }
    'ConvertTo-VoxDag' = @{
        Synopsis    = 'Reduces a program, or reads a DAG, without running it.'
        Description = 'ConvertTo-VoxDag writes the DAG of a program or of a DAG description as a VoxDag object (accepted by Submit-VoxDag -Dag and Measure-VoxDag), as JSON (-AsJson, the specification''s DAGDefinition shape, accepted back by Submit-VoxDag -Dag) or as Graphviz DOT (-AsDot).'
        Examples    = @(
            @{ Code = 'ConvertTo-VoxDag ./examples/fibonacci.imgql -AsDot | Set-Content fibonacci.dot'; Remarks = 'Writes the DAG of a program for Graphviz.' }
            @{ Code = 'ConvertTo-VoxDag -Program ''print "x" 1 + 2'' -AsJson'; Remarks = 'Shows the nodes, content ids and goals of a program.' }
        )
    }
    'Measure-VoxDag' = @{
        Synopsis    = 'Measures the shape of a DAG.'
        Description = 'Measure-VoxDag reports the nodes, edges, goals, depth, critical path (its length and its nodes), widest level, and the theoretical speed-up with -Workers workers when every node costs the same: nodes / max(critical path, nodes / workers).'
        Examples    = @(
            @{ Code = 'Measure-VoxDag ./examples/caching.imgql -Workers 8'; Remarks = 'How much parallelism a program offers to 8 workers.' }
        )
    }
    'Clear-VoxStore' = @{
        Synopsis    = 'Evicts stored results by age or total size.'
        Description = 'Clear-VoxStore removes results not accessed for longer than -OlderThan and/or least recently used results until the store holds at most -MaxSize (512MB, 2GB, or bytes). It is safe while executions run. It writes a report of what was removed and what remains. Supports -WhatIf and -Confirm.'
        Examples    = @(
            @{ Code = '$null = New-PSDrive -Name lab -PSProvider VoxStore -Root ./voxlogica_storage -Create; Clear-VoxStore -Store lab: -OlderThan 30d -Confirm:$false'; Remarks = 'Removes results of the lab: store unused for 30 days (a bare number is seconds; 5m, 2h, 7d and 00:05:00 work too).' }
            @{ Code = 'Clear-VoxStore -MaxSize 2GB -Confirm:$false'; Remarks = 'Trims the default store to 2 GB.' }
        )
    }
    'Save-VoxResult' = @{
        Synopsis    = 'Saves result values to files: bytes as bytes, text as text, images as NIfTI or PNG, anything else as JSON.'
        Description = 'Save-VoxResult writes the value of each result piped to it (from Submit-VoxDag -Wait or Get-VoxResult, or stored results as items of a VoxStore drive from Get-Item or Get-ChildItem) to -Path or -LiteralPath, resolved against the PowerShell location. Bytes are written as they are (a large result is streamed from the store, never held whole), text as UTF-8, an image as the file its name asks for (.nii, .nii.gz, .png, .jpg or .jpeg, written as save does; any other name is an error), any other value as JSON. When the path is an existing folder, the file is named after the goal (for a store item: its id, or the node''s name under executions\<run>) with .bin, .txt, .nii.gz (images) or .json. An existing file is kept unless -Force is given; a file is written beside its target and moved into place, so a failed save never leaves half a file. A result without a value (Failed, Skipped) is a VoxResultNotFound error. -PassThru writes the saved file. Supports -WhatIf and -Confirm.'
        Examples    = @(
            @{ Code = 'Submit-VoxDag -Program ''print "seq" [1, 2] * 3'' -Wait | Save-VoxResult -Path ./seq.json -Force -PassThru'; Remarks = 'Runs a program and saves its sequence as JSON.' }
        )
    }
    'Show-VoxDag' = @{
        Synopsis    = 'Draws a DAG, or an execution with the state of each node, as Mermaid or DOT text.'
        Description = @'
Show-VoxDag writes one string per DAG: a Mermaid flowchart (-As Mermaid, the default) or a Graphviz DOT graph (-As Dot). The DAG comes from a program (-Path, -LiteralPath, -Program), a DAG description (-Dag, New-VoxNode objects) or an execution of this process (-ExecutionId, or execution objects from the pipeline). An execution is drawn with the state of every node (Pending, Ready, Running, Completed, Cached, Failed, Skipped, Cancelled, or NotNeeded when a stored result downstream makes the node unnecessary) as a colour and a label line. A store's history keeps no DAG, so executions of other processes cannot be drawn; draw their program instead.

Nodes are named n<index>; edges go from an argument to the node that uses it; goals are drawn doubled and constants rounded. Labels show the goal or node name, then the operator or the constant (long constants shortened), and are escaped for the language, so any text renders as written. -Fenced wraps the text in a Markdown code fence (```mermaid, ```dot), ready to paste into a Markdown file. A DAG with more than -MaxNodes nodes (default 2000) is an error rather than an unreadable diagram.
'@
        Examples    = @(
            @{ Code = 'Show-VoxDag -Path ./examples/hello.imgql'; Remarks = 'Writes the program''s DAG as a Mermaid flowchart.' }
            @{ Code = 'Show-VoxDag -Program ''print "x" 1 + 2'' -As Dot'; Remarks = 'Writes the DAG of program text as Graphviz DOT.' }
            @{ Code = 'Submit-VoxDag -Program ''print "x" 6 * 7'' | Wait-VoxExecution | Show-VoxDag -Fenced'; Remarks = 'Runs a program, then draws its execution with the state of each node, fenced for Markdown.' }
        )
    }
    'Unregister-VoxOperation' = @{
        Synopsis    = 'Removes script operations registered with Register-VoxOperation.'
        Description = 'Unregister-VoxOperation removes script operations by qualified or short name (wildcards allowed), or the operation objects piped from Get-VoxOperation. Programs and DAGs submitted afterwards no longer find the operation; executions already submitted keep the operation they resolved at submission and finish with it. Built-in primitives cannot be removed: naming one is a VoxOperationInvalid error, and a wildcard never removes the built-ins it matches. An unknown name is a VoxOperationNotFound error. Supports -WhatIf and -Confirm.'
        Examples    = @(
            @{ Code = 'Register-VoxOperation -Name my.cube -ScriptBlock { param($x) $x * $x * $x } -Force; Unregister-VoxOperation my.cube'; Remarks = 'Registers an operation, then removes it.' }
            @{ Code = 'Get-VoxOperation -Namespace my | Unregister-VoxOperation -WhatIf'; Remarks = 'Shows which operations of the my namespace would be removed.' }
        )
    }
    'Remove-VoxExecution' = @{
        Synopsis    = 'Removes finished executions from a store''s history.'
        Description = 'Remove-VoxExecution deletes the history of executions given by id, name or object (piped from Get-VoxExecution or Submit-VoxDag): the execution record, its named nodes and its node history in the store (-Store, or the store the execution object names), and forgets executions of this process. The results stay in the store: they are content-addressed and may serve other executions; Clear-VoxStore evicts results. An execution that is still running, here or in another process, is a VoxExecutionRunning error: stop it first with Stop-VoxExecution. Supports -WhatIf and -Confirm.'
        Examples    = @(
            @{ Code = 'Get-VoxExecution -Status Failed | Remove-VoxExecution -Confirm:$false'; Remarks = 'Forgets every failed execution of the default store''s history.' }
            @{ Code = 'Submit-VoxDag -Program ''print "x" 1 + 2'' -Name once -Wait; Remove-VoxExecution -Id once -WhatIf'; Remarks = 'Shows which execution would be removed.' }
        )
    }
    'Connect-VoxCluster' = @{
        Synopsis    = 'Connects this session to a VoxScheduler cluster.'
        Description = @'
Connect-VoxCluster connects this PowerShell session to a cluster of VoxScheduler silos (src/Cluster/Silo; build.ps1 cluster-up starts one on this machine): -Redis is the Redis server of the cluster's membership (host:port) and -ClusterId the silos' --cluster-id. Submit-VoxDag -Cluster then runs programs and DAGs there; Get-VoxCluster lists the silos.

Results live in the cluster's PostgreSQL database, which this session reads them from: its connection string comes from -ConnectionFile or $env:VOXSCHEDULER_POSTGRES (as the silos read it), and -Credential supplies (or replaces) the user name and password. There is no parameter for a connection string: a password never goes on a command line that ps shows. One process uses one database (a postgres drive and every connection share it). -Namespace names the store namespace results go to by default (default: default).

A wrong cluster id, a cluster without a live silo or an unreachable Redis is a VoxClusterUnavailable error within -Timeout (default 30 s), never a hang; a database that cannot be opened is VoxStoreUnavailable. The connection object is written; -Name (default: default) names it for Submit-VoxDag -Connection, Get-VoxCluster and Disconnect-VoxCluster. Connections live in the session and are closed by Disconnect-VoxCluster or when the module is removed.
'@
        Examples    = @(
            @{ Code = 'Connect-VoxCluster -Redis 127.0.0.1:6379 -ClusterId vox-local-20261207 -ConnectionFile ./out/cluster/postgres/connection'; Remarks = 'Connects to the cluster build.ps1 cluster-up started (it prints the Redis address and the cluster id; the connection file holds the password, readable by its owner only).'; Requires = 'Cluster' }
            @{ Code = '$env:VOXSCHEDULER_POSTGRES = Get-Content -Raw ./out/cluster/postgres/connection; Connect-VoxCluster 127.0.0.1:6379 vox-local-20261207 -Name lab -Namespace projects/brain'; Remarks = 'Takes the connection string from the environment, as the silos do (-Credential would supply the user name and password); a second connection, named lab, whose results go to the namespace projects/brain.'; Requires = 'Cluster' }
        )
    }
    'Get-VoxCluster' = @{
        Synopsis    = 'Lists the silos of the connected clusters.'
        Description = 'Get-VoxCluster writes one VoxClusterSilo per silo of each connected cluster (-Name: connections by name, wildcards allowed; default: every connection of the session): its address, membership status (Active, Joining, ShuttingDown, Dead), worker slots, calls running now (InFlight), load (InFlight over Slots) and the bytes its input cache holds. A silo that is not active, or did not answer, shows 0 slots. A cluster that cannot list its silos within 30 s is a VoxClusterUnavailable error; without a connection the error is VoxClusterNotConnected.'
        Examples    = @(
            @{ Code = 'Get-VoxCluster'; Remarks = 'Lists the silos of every cluster this session is connected to.'; Requires = 'Cluster' }
            @{ Code = 'Get-VoxCluster | Where-Object Status -eq Active | Measure-Object Slots -Sum'; Remarks = 'Counts the worker slots of the active silos: how many nodes the cluster runs at once.'; Requires = 'Cluster' }
        )
    }
    'Disconnect-VoxCluster' = @{
        Synopsis    = 'Closes cluster connections of this session.'
        Description = 'Disconnect-VoxCluster closes the connections named by -Name (wildcards allowed) or piped from Connect-VoxCluster; without either, the only connection, or the one named default. Executions submitted through a connection go on on the cluster: a warning names those still running, this session stops following them (they show as Interrupted here), and their results are stored in the namespace as usual, where Get-VoxExecution -Store and a postgres drive find them.'
        Examples    = @(
            @{ Code = 'Disconnect-VoxCluster'; Remarks = 'Closes the default connection.'; Requires = 'Cluster' }
        )
    }
    'VoxStore' = @{
        # The provider's help (Get-Help VoxStore), written as providerHelp by tools/New-MamlHelp.ps1.
        Synopsis    = 'Shows a VoxScheduler store as a drive: its results, its execution history and each execution''s named nodes.'
        Description = @'
The VoxStore provider shows a store as a drive. The root lists the executions folder, then every stored result by its content id (64 hex digits; any unique start of at least 4 digits also names it). executions lists the store's history; executions\<id or name> lists an execution's named nodes (its goals and named declarations).

Get-Content reads a value (bytes in chunks; -AsByteStream and -Raw as for files), Get-ItemProperty and Set-ItemProperty read metadata and write user metadata, Remove-Item deletes results (-WhatIf, -Confirm), Copy-Item and Move-Item copy results between VoxStore drives (a result keeps its id), and Copy-Item copies results to files, written as Save-VoxResult writes them (while the module is loaded Copy-Item is an alias of Copy-VoxItem, a proxy of the cmdlet: PowerShell itself refuses copies between providers; see about_VoxScheduler). A drive's root is its store's folder, so an item piped from any drive acts on its own store.

The drive Vox: is the default store. New-PSDrive -PSProvider VoxStore -Root <folder> opens another store; the folder must hold a store of the given -Backend unless -Create is given, which creates one: reading never creates a store.
'@
        Tasks       = @(
            @{ Title = 'Opening a store'; Examples = @(
                @{ Code = 'New-PSDrive -Name lab -PSProvider VoxStore -Root ./voxlogica_storage -Create'; Remarks = 'Creates (or opens) the store in ./voxlogica_storage (hybrid when new) as the drive lab:.' }
            ) }
            @{ Title = 'Reading results and history'; Examples = @(
                @{ Code = 'Get-ChildItem Vox:\executions'; Remarks = 'Lists the executions recorded in the default store.' }
                @{ Code = 'Get-ChildItem Vox:\ -Filter ''*mul*'' | Get-Content'; Remarks = 'Reads the values of the results whose operator matches *mul*.' }
            ) }
            @{ Title = 'Copying results to files'; Examples = @(
                @{ Code = '$null = New-Item -ItemType Directory ./values -Force; Get-ChildItem Vox:\ -Filter ''*mul*'' | Copy-Item -Destination ./values -Force -PassThru'; Remarks = 'Writes the values of the results whose operator matches *mul* into ./values, each file named after its id (JSON, text or bytes, as Save-VoxResult writes them).' }
            ) }
            @{ Title = 'Removing results'; Examples = @(
                @{ Code = 'Get-ChildItem Vox:\ | Where-Object Operator -eq default.add | Remove-Item -WhatIf'; Remarks = 'Shows which results of default.add would be removed.' }
            ) }
        )
        DynamicParameters = @(
            @{ Name = 'Backend'; Cmdlets = 'New-PSDrive'; Type = 'System.String'; Description = 'The store''s backend: hybrid, sqlite or filesystem (default: the backend of the store in the folder; for a new store $env:VOXSCHEDULER_BACKEND, else hybrid).' }
            @{ Name = 'Create'; Cmdlets = 'New-PSDrive'; Type = 'System.Management.Automation.SwitchParameter'; Description = 'Creates the store when the folder holds none; without it a missing or store-less folder is a VoxStoreUnavailable error.' }
            @{ Name = 'AsByteStream'; Cmdlets = 'Get-Content'; Type = 'System.Management.Automation.SwitchParameter'; Description = 'Reads the value''s bytes.' }
            @{ Name = 'Raw'; Cmdlets = 'Get-Content'; Type = 'System.Management.Automation.SwitchParameter'; Description = 'Reads the whole value as one object instead of item by item.' }
        )
    }
}
