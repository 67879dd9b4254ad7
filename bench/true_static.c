/* The program bench/fork_exec.c executes: a small static program that exits 0. */
int main(void){return 0;}
