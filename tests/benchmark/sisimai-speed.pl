#!/usr/bin/perl
# Times p5-sisimai over a list of files, one pass per "run" line on stdin, so that a driver can
# alternate it with another tool in the same run. Start-up (perl, loading Sisimai) is outside the
# timed passes. Prints "<seconds> <emails> <records> <cpu seconds>" per pass; "quit" ends.
#   perl sisimai-speed.pl FILELIST
use strict;
use warnings;
use Time::HiRes qw(time);
use Sisimai;

$| = 1;
open(my $fh, '<', $ARGV[0]) or die "cannot read $ARGV[0]: $!";
chomp(my @files = <$fh>);
close $fh;
@files = grep { length } @files;
print "ready Sisimai $Sisimai::VERSION\n";

while (my $line = <STDIN>) {
    chomp $line;
    last if $line eq 'quit';
    my ($records, $t0, $cpu0) = (0, time, cpu());
    for my $file (@files) {
        # Sisimai 4.x: make() parses one mailbox, Maildir or message file; 5.x renamed it rise().
        my $parsed = Sisimai->can('rise') ? Sisimai->rise($file, 'delivered' => 1) : Sisimai->make($file, 'delivered' => 1);
        $records += scalar(@$parsed) if $parsed;
    }
    printf "%.6f %d %d %.6f\n", time - $t0, scalar(@files), $records, cpu() - $cpu0;
}

# User plus system CPU time of this process.
sub cpu { my ($user, $system) = times; return $user + $system }
